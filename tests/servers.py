"""Starting real app servers on loopback for the tests and the benchmark: one `streamlit run app.py`,
or the whole cluster of scripts/cluster.py (HAProxy in front of several replicas).

Every start waits for the server's health check, never for a fixed sleep, and a server that exits
or never answers fails with the end of its log.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.pg_server import free_port

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/_stcore/health"
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
# make test installs haproxy; on CI its absence is a failure, elsewhere the cluster tests are skipped.
if HAPROXY is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("haproxy missing on CI: make test installs Debian's haproxy package")


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (the cluster numbers its replicas from one)."""
    for _ in range(200):
        base = random.randint(20_000, 60_000)
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free ports")


def ensure_secrets() -> None:
    """The app reads its cookie key from .streamlit/secrets.toml in its own directory (gitignored)."""
    if not (ROOT / ".streamlit" / "secrets.toml").exists():
        subprocess.run([sys.executable, "scripts/make_secrets.py", ".streamlit/secrets.toml"], cwd=ROOT, check=True)


def status_mb(pid: int, field: str) -> float | None:
    """A memory figure of /proc/PID/status (VmRSS now, VmHWM the peak) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass
class AppServer:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def peak_rss_mb(self) -> float | None:
        return status_mb(self.process.pid, "VmHWM")

    def rss_mb(self) -> float | None:
        return status_mb(self.process.pid, "VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_app(db: Path | str, log_path: Path, *, env: dict[str, str] | None = None, timeout: float = 60) -> AppServer:
    """`streamlit run app.py` on a free loopback port with JESR_DB=db, once it answers its health check."""
    ensure_secrets()
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
            + ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT,
            env={**os.environ, "JESR_DB": str(db), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(process, port, log_path)
    deadline = time.monotonic() + timeout
    while not healthy(server.url):
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"streamlit did not answer {HEALTH_PATH} within {timeout:.0f} s:\n{server.log_tail()}")
        time.sleep(0.2)
    return server


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def cluster_command(run_dir: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m scripts.cluster --run-dir RUN_DIR ARGS…`, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "scripts.cluster", "--run-dir", str(run_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cluster {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done


def start_cluster(run_dir: Path, db: str, replicas: int = 2) -> int:
    """HAProxy and `replicas` app servers on loopback over `db`; returns the proxy's port."""
    ensure_secrets()
    base = free_ports(replicas + 1)
    cluster_command(
        run_dir,
        "start",
        "--db",
        db,
        "--replicas",
        str(replicas),
        "--port",
        str(base),
        "--base-port",
        str(base + 1),
        "--bind",
        "127.0.0.1",
    )
    return base
