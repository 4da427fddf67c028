"""The cluster of scripts/cluster.py with real processes on loopback: HAProxy and two Streamlit replicas.

Each replica has its own DuckDB file here (`--db .../{replica}.duckdb`): what is tested is the
proxy and the orchestration — affinity, health checks, the rolling restart — not a shared store
(tests/test_cluster_postgres.py runs two replicas on one PostgreSQL database).
The response header X-Jesr-Replica (set by the proxy) says which replica answered.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websocket

from scripts.cluster import Cluster, render_haproxy_config, server_states
from tests.servers import HAPROXY, cluster_command, free_ports, start_cluster

pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy missing: `make test` installs Debian's package")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    run_dir = tmp_path_factory.mktemp("cluster")
    start_cluster(run_dir, str(run_dir / "{replica}.duckdb"))
    yield Cluster.load(run_dir)
    cluster_command(run_dir, "stop")


def replica_of(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text[:200]
    return answer.headers["X-Jesr-Replica"]


def test_new_visitors_are_spread_and_each_stays_on_its_replica(cluster: Cluster) -> None:
    visitors = [requests.Session() for _ in range(6)]
    first = [replica_of(visitor.get(cluster.url + "/", timeout=10)) for visitor in visitors]
    assert set(first) == {"r1", "r2"}
    for visitor, replica in zip(visitors, first):
        assert visitor.cookies.get("JESR_REPLICA") == replica
        for path in ("/", "/_stcore/health", "/_stcore/host-config", "/"):
            assert replica_of(visitor.get(cluster.url + path, timeout=10)) == replica, path


def test_the_websocket_reaches_the_visitors_replica(cluster: Cluster) -> None:
    for replica in ("r2", "r1"):
        ws = websocket.create_connection(
            cluster.url.replace("http://", "ws://") + "/_stcore/stream",
            cookie=f"JESR_REPLICA={replica}",
            subprotocols=["streamlit"],
            timeout=10,
        )
        try:
            assert ws.getstatus() == 101
            assert ws.getheaders()["x-jesr-replica"] == replica
        finally:
            ws.close()


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """A stand-in replica: answers its health check with `health`, and echoes the forwarded-for lines it received."""

    health = 200

    def do_GET(self) -> None:  # noqa: N802 — the name http.server calls
        if self.path == "/_stcore/health":
            status, body = self.health, b"ok"
        else:
            status, body = 200, json.dumps(self.headers.get_all("X-Forwarded-For") or []).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class FailingHealthHandler(EchoHandler):
    health = 503


@pytest.fixture
def echo_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """The proxy's configuration in front of two stand-ins: r1 healthy, r2 open but failing its health check."""
    base = free_ports(3)
    backends = [
        http.server.ThreadingHTTPServer(("127.0.0.1", base + 1), EchoHandler),
        http.server.ThreadingHTTPServer(("127.0.0.1", base + 2), FailingHealthHandler),
    ]
    for backend in backends:
        threading.Thread(target=backend.serve_forever, daemon=True).start()
    echo = Cluster(str(tmp_path), "unused", replicas=2, base_port=base + 1, proxy_port=base, proxy_bind="127.0.0.1")
    config = tmp_path / "haproxy.cfg"
    config.write_text(render_haproxy_config(echo))
    proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (echo.stats_socket.exists() and server_states(echo).get("r2", "").startswith("DOWN")):
            assert proxy.poll() is None, "HAProxy exited"
            assert time.monotonic() < deadline, f"r2 not marked down: {server_states(echo)}"
            time.sleep(0.05)
        yield echo
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for backend in backends:
            backend.shutdown()


def test_a_replica_failing_its_health_check_gets_no_visitor(echo_cluster: Cluster) -> None:
    assert server_states(echo_cluster) == {"r1": "UP", "r2": "DOWN"}
    newcomers = [replica_of(requests.get(echo_cluster.url + "/", timeout=5)) for _ in range(4)]
    assert newcomers == ["r1"] * 4


def test_the_proxy_replaces_the_forwarded_for_header_a_client_sends(echo_cluster: Cluster) -> None:
    answer = requests.get(echo_cluster.url + "/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    assert answer.json() == ["127.0.0.1"]


def test_a_rolling_restart_answers_every_request(cluster: Cluster) -> None:
    pids_before = {name: (cluster.path / f"{name}.pid").read_text() for name in cluster.names()}
    answers: list[int | str] = []
    done = threading.Event()

    def poll() -> None:
        sticky = requests.Session()
        while not done.is_set():
            for client in (requests, sticky):  # a new visitor, and one who keeps their cookie
                try:
                    answers.append(client.get(cluster.url + "/_stcore/health", timeout=5).status_code)
                except requests.RequestException as problem:
                    answers.append(type(problem).__name__)
            time.sleep(0.01)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        cluster_command(cluster.path, "restart")
    finally:
        done.set()
        poller.join()
    assert len(answers) > 100
    assert [a for a in answers if a != 200] == []
    pids_after = {name: (cluster.path / f"{name}.pid").read_text() for name in cluster.names()}
    assert all(pids_after[name] != pids_before[name] for name in cluster.names())
    assert server_states(cluster) == {"r1": "UP", "r2": "UP"}


def test_a_stopped_replica_is_marked_down_and_its_visitors_served_by_the_other(cluster: Cluster) -> None:
    sticky = {"Cookie": "JESR_REPLICA=r1"}
    assert replica_of(requests.get(cluster.url + "/", headers=sticky, timeout=10)) == "r1"

    os.killpg(int((cluster.path / "r1.pid").read_text()), signal.SIGKILL)
    # The health check, not a failed request, takes it out of rotation.
    deadline = time.monotonic() + 10
    while not server_states(cluster)["r1"].startswith("DOWN"):
        assert time.monotonic() < deadline, f"r1 still seen as {server_states(cluster)['r1']}"
        time.sleep(0.1)

    answer = requests.get(cluster.url + "/", headers=sticky, timeout=10)
    assert replica_of(answer) == "r2"
    assert answer.cookies.get("JESR_REPLICA") == "r2"  # the visitor now sticks to r2
    newcomers = [replica_of(requests.get(cluster.url + "/", timeout=10)) for _ in range(4)]
    assert newcomers == ["r2"] * 4
