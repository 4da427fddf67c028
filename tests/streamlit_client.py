"""A browser tab in Streamlit's own websocket protocol, for tests that drive a real server.

It opens /_stcore/stream with the cookies a browser would send, asks for a page by name, keeps the
values of the widgets it has set (as the browser keeps them between reruns), presses buttons by
their key, and collects what one script run drew until `script_finished`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from typing import Any

import jwt
import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from tests.servers import ROOT

COOKIE_NAME = "jesr_session"


def login_cookie(username: str, session_version: int = 0) -> str:
    """The login cookie ui/auth.py signs: the username, an expiry and the account's session version."""
    key = tomllib.loads((ROOT / ".streamlit" / "secrets.toml").read_text())["auth"]["cookie_key"]
    expires = (dt.datetime.now() + dt.timedelta(days=1)).timestamp()
    claims = {"username": username, "exp_date": expires, "sv": session_version}
    return f"{COOKIE_NAME}={jwt.encode(claims, key, algorithm='HS256')}"


@dataclass
class Run:
    """What one script run drew: alerts as (kind, text), and the exceptions' messages."""

    alerts: list[tuple[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    widgets: dict[str, Any] = field(default_factory=dict)  # user key -> the element's proto

    def texts(self, kind: str) -> list[str]:
        return [text for k, text in self.alerts if k == kind]


ALERT_KINDS = {1: "error", 2: "warning", 3: "info", 4: "success"}


def _user_key(widget_id: str) -> str:
    # Streamlit ends the id of a widget given `key=` with "-" + that key.
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") and widget_id.count("-") >= 2 else widget_id


class Tab:
    def __init__(self, url: str, cookie: str, lang: str = "en", timeout: float = 60) -> None:
        self.ws = websocket.create_connection(
            url.replace("http://", "ws://") + "/_stcore/stream",
            cookie=cookie,
            subprotocols=["streamlit"],
            timeout=timeout,
        )
        self.replica = self.ws.getheaders().get("x-jesr-replica")
        self.lang = lang
        self.ids: dict[str, str] = {}  # user key -> widget id
        self.states: dict[str, WidgetState] = {}  # widget id -> the value this tab holds

    def set(self, key: str, value: str) -> None:
        """Choose a selectbox option by its shown label (Streamlit sends the label)."""
        state = WidgetState(id=self.ids[key])
        state.string_value = value
        self.states[state.id] = state

    def send(self, page: str, press: str | None = None) -> None:
        """Ask for a run of `page`, pressing the button `press` in it; read the answer with `receive`."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = f"lang={self.lang}"
        client.page_name = page
        for state in self.states.values():
            client.widget_states.widgets.add().CopyFrom(state)
        if press is not None:
            client.widget_states.widgets.add().CopyFrom(WidgetState(id=self.ids[press], trigger_value=True))
        self.ws.send_binary(msg.SerializeToString())

    def receive(self) -> Run:
        run = Run()
        while True:
            forward = ForwardMsg.FromString(self.ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "script_finished":
                return run
            if kind != "delta" or forward.delta.WhichOneof("type") != "new_element":
                continue
            element = forward.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif which == "alert":
                run.alerts.append((ALERT_KINDS.get(element.alert.format, "other"), element.alert.body))
            elif which is not None:
                widget_id = getattr(getattr(element, which), "id", "")
                if widget_id:
                    key = _user_key(widget_id)
                    self.ids[key] = widget_id
                    run.widgets[key] = getattr(element, which)

    def rerun(self, page: str, press: str | None = None) -> Run:
        self.send(page, press)
        return self.receive()

    def close(self) -> None:
        self.ws.close()
