"""A throwaway PostgreSQL server for the tests: initdb into a temporary directory, loopback only.

Debian's `postgresql` package provides the binaries (`make test` installs it when missing). initdb
refuses to run as root, so as root the server runs as the package's `postgres` user. fsync is off:
the cluster is deleted when the tests end, and durability is not what they check.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("no initdb found: install Debian's postgresql package (make test does it as root)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    directory: Path
    port: int
    bindir: Path
    user: str
    durable: bool = False

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        done = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, self.url(dbname)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def stop(self) -> None:
        _as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.directory, ignore_errors=True)

    def halt(self, mode: str = "fast") -> None:
        """Stop the server and keep its data (`immediate` is a crash: no shutdown checkpoint)."""
        done = _as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", mode, "-w", "stop"])
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {done.stderr.strip()}")

    def resume(self) -> None:
        """Start the halted server again, on the same port."""
        done = _as_owner(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-o",
                server_options(self.port, self.directory, durable=self.durable),
                "-l",
                str(self.directory / "log"),
                "-w",
                "start",
            ]
        )
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()}")


def server_options(port: int, directory: Path, *, durable: bool = False) -> str:
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"
    return options if durable else options + " -c fsync=off -c synchronous_commit=off"


def _as_owner(command: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def start_postgres(*, durable: bool = False) -> PostgresServer:
    """initdb and start a server in a new temporary directory; raises PostgresUnavailable with the reason.

    `durable` keeps PostgreSQL's own fsync and synchronous commit, for measurements (the benchmark).

    The directory sits directly in the system's temporary folder: pytest's own are private to root,
    and the server's user must reach its data directory.
    """
    bindir = find_bindir()
    directory = Path(tempfile.mkdtemp(prefix="jesr-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        directory.chmod(0o755)
    data = directory / "data"
    user = "jesr"
    done = _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync"])
    if done.returncode != 0:
        raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()}")
    port = free_port()
    options = server_options(port, directory, durable=durable)
    done = _as_owner(
        [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start"]
    )
    if done.returncode != 0:
        log = (directory / "log").read_text() if (directory / "log").exists() else ""
        raise PostgresUnavailable(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")
    server = PostgresServer(directory, port, bindir, user, durable)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql("SELECT 1")
            return server
        except RuntimeError:
            if time.monotonic() > deadline:
                raise PostgresUnavailable("the server started but does not answer") from None
            time.sleep(0.1)
