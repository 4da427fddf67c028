"""The real server under load: `streamlit run app.py` on loopback, driven by websocket clients.

Each simulated browser speaks Streamlit's own protocol: it opens ws://127.0.0.1:PORT/_stcore/stream
with the login cookie (a streamlit-authenticator JWT signed with the key in
.streamlit/secrets.toml, read by ui/auth.py through st.context.cookies), sends a `rerun_script`
BackMsg for the dashboard page, and counts the ForwardMsgs until `script_finished`. Later reruns
submit the dashboard's filter form with another governorate, as a user flipping through the map
(the first tab, coverage by governorate, is the open one).
Only 127.0.0.1 is ever contacted; every run is bounded in count and in time.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.servers import AppServer, start_app
from tests.streamlit_client import login_cookie

PAGE = "dashboard"


def start_server(db: Path | str, log_path: Path, timeout: float = 120) -> AppServer:
    """The app on a free loopback port over `db` (a DuckDB file or a postgresql:// URL)."""
    return start_app(db, log_path, timeout=timeout)


@dataclass
class RunResult:
    seconds: float
    messages: int
    exceptions: int
    widgets: dict[str, Any] = field(default_factory=dict)


class BrowserSession:
    """One simulated browser tab on the dashboard."""

    def __init__(self, port: int, cookie: str, timeout: float = 120) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/_stcore/stream", cookie=cookie, subprotocols=["streamlit"], timeout=timeout
        )
        # Behind the cluster's proxy, the replica that took this tab (None when the app answers itself).
        self.replica = self.ws.getheaders().get("x-jesr-replica")
        self.governorate_id: str | None = None
        self.governorate_options: list[str] = []
        self.submit_id: str | None = None

    def rerun(self, governorate: str | None = None, page: str = PAGE) -> RunResult:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = "lang=ar"
        state.page_name = page
        if governorate is not None and self.governorate_id and self.submit_id:
            chosen = state.widget_states.widgets.add()
            chosen.id = self.governorate_id
            chosen.string_value = governorate
            submit = state.widget_states.widgets.add()
            submit.id = self.submit_id
            submit.trigger_value = True
        started = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        messages = exceptions = 0
        while True:
            forward = ForwardMsg.FromString(self.ws.recv())
            messages += 1
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    exceptions += 1
                # One key per country: dashboard_governorate_TN.
                elif which == "selectbox" and "-dashboard_governorate" in element.selectbox.id:
                    self.governorate_id = element.selectbox.id
                    self.governorate_options = list(element.selectbox.options)
                elif which == "button" and element.button.is_form_submitter:
                    self.submit_id = element.button.id
            elif kind == "script_finished":
                return RunResult(time.perf_counter() - started, messages, exceptions)

    def close(self) -> None:
        self.ws.close()


def open_main_page(port: int, cookie: str) -> RunResult:
    """Run app.py itself once. Until some session has run it, Streamlit 1.67 treats `pages/` as an
    old-style pages directory and serves a page asked for by name without app.py's login gate."""
    session = BrowserSession(port, cookie)
    try:
        return session.rerun(page="")
    finally:
        session.close()


def warm_filters(port: int, cookie: str) -> dict[str, Any]:
    """Submit every governorate once, so the load measures the steady state of the shared
    aggregate caches (ttl 5 minutes) rather than the first visitor of each filter."""
    session = BrowserSession(port, cookie)
    try:
        session.rerun()
        times = [session.rerun(option).seconds for option in session.governorate_options]
    finally:
        session.close()
    return {"filters": len(times), "seconds": sum(times), "slowest_s": max(times) if times else None}


def load(
    port: int, sessions: int, *, reruns_per_session: int, max_seconds: float, seed: int = 1, username: str = "organiser"
) -> dict[str, Any]:
    """`sessions` browsers at once, each submitting the filter form `reruns_per_session` times (or until time is up)."""
    cookie = login_cookie(username)
    times: list[float] = []
    errors: list[str] = []
    exceptions = [0]
    replicas: Counter[str | None] = Counter()
    lock = threading.Lock()
    ready = threading.Barrier(sessions + 1)
    start_at: list[float] = []
    deadline: list[float] = []

    def browse(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        session = None
        try:
            session = BrowserSession(port, cookie)
            with lock:
                replicas[session.replica] += 1
            first = session.rerun()  # log in from the cookie and render once: not counted
            if not session.governorate_id:
                raise RuntimeError("the dashboard's governorate filter was not rendered (not logged in?)")
            exceptions[0] += first.exceptions
        except Exception as exc:  # noqa: BLE001 - reported in the results
            errors.append(f"session {number}: {exc!r}")
            ready.wait()
            return
        ready.wait()
        try:
            for _ in range(reruns_per_session):
                if time.monotonic() > deadline[0]:
                    break
                result = session.rerun(rng.choice(session.governorate_options))
                with lock:
                    times.append(result.seconds)
                    exceptions[0] += result.exceptions
        except Exception as exc:  # noqa: BLE001
            errors.append(f"session {number}: {exc!r}")
        finally:
            session.close()

    threads = [threading.Thread(target=browse, args=(i,), daemon=True) for i in range(sessions)]
    for thread in threads:
        thread.start()
    deadline.append(time.monotonic() + max_seconds + 600)
    ready.wait()
    deadline[0] = time.monotonic() + max_seconds
    start_at.append(time.perf_counter())
    for thread in threads:
        thread.join(timeout=max_seconds + 120)
    wall = time.perf_counter() - start_at[0]
    return {
        "sessions": sessions,
        "reruns": len(times),
        "wall_s": wall,
        "reruns_per_s": len(times) / wall if wall else 0.0,
        "median_s": statistics.median(times) if times else None,
        "p95_s": sorted(times)[int(0.95 * (len(times) - 1))] if times else None,
        "script_exceptions": exceptions[0],
        "errors": errors[:5],
        "error_count": len(errors),
        "sessions_by_replica": {str(name): count for name, count in sorted(replicas.items(), key=str)},
    }
