"""Several Jesr app servers behind HAProxy on one machine: `start`, `stop`, `restart`, `status`.

`python -m scripts.cluster start --db URL --replicas N` brings up, in order: the store (with
`--pg-dir data/pg` and a `postgresql://` URL on this machine, a PostgreSQL server in that
directory, started and given its database), the schema (`python -m data_layer --db URL init`), N `streamlit run app.py` replicas
on loopback ports, and HAProxy with cookie affinity and a health check per replica. Everything it
starts writes its pid and log into the run directory (data/cluster/), with cluster.json naming
what was started, so `stop`, `restart` and `status` need no arguments. `restart` replaces the
replicas one at a time, each taken out of rotation first and put back once healthy.

The store is the one setting `--db`. A DuckDB file opens in one process only, so with several
replicas a DuckDB URL must hold `{replica}`: each replica then gets its own file — the proxy and
the orchestration work, but records are not shared. docs/cluster.md tells the whole of it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.pg_server import PostgresServer, PostgresUnavailable, _as_owner, find_bindir

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"
DEFAULT_RUN_DIR = ROOT / "data" / "cluster"
DEFAULT_DB = "postgresql://jesr@127.0.0.1:5433/jesr"
BACKEND = "replicas"
HEALTH_PATH = "/_stcore/health"
REPLICA_START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 15
DRAIN_TIMEOUT_S = 5


class ClusterError(RuntimeError):
    """A step that cannot go on; its message is the one line the operator reads."""


@dataclass
class Cluster:
    """What `start` started, as written to cluster.json for the commands that follow."""

    run_dir: str
    db: str
    replicas: int
    base_port: int
    proxy_port: int
    proxy_bind: str
    pg_dir: str | None = None  # set when this cluster started its own PostgreSQL

    @property
    def path(self) -> Path:
        return Path(self.run_dir)

    def names(self) -> list[str]:
        return [f"r{i}" for i in range(1, self.replicas + 1)]

    def port(self, name: str) -> int:
        return self.base_port + int(name[1:]) - 1

    def replica_db(self, name: str) -> str:
        return self.db.replace("{replica}", name)

    @property
    def stats_socket(self) -> Path:
        return self.path / "haproxy.sock"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.proxy_bind in ("0.0.0.0", "") else self.proxy_bind
        return f"http://{host}:{self.proxy_port}"

    def save(self) -> None:
        (self.path / "cluster.json").write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> Cluster:
        state = run_dir / "cluster.json"
        if not state.exists():
            raise ClusterError(f"no cluster started from {run_dir} (no cluster.json there)")
        return cls(**json.loads(state.read_text(encoding="utf-8")))


# --- processes --------------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Running, and not a zombie: an exited child nobody reaped still answers kill(pid, 0)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _spawn(command: list[str], log: Path, pidfile: Path, env: dict[str, str] | None = None) -> int:
    """Start a process in its own session (it outlives this command), output appended to its log."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )
    pidfile.write_text(f"{process.pid}\n")
    return process.pid


def _terminate(pidfile: Path) -> None:
    """SIGTERM to the process group, SIGKILL if it outstays STOP_TIMEOUT_S."""
    pid = _read_pid(pidfile)
    if pid is not None:
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not _alive(pid):
                break
    pidfile.unlink(missing_ok=True)


def _healthy(port: int, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _wait_for(condition, timeout: float) -> bool:
    """Whether the condition came true within the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _wait_until(condition, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = ""
            if log is not None and log.exists():
                tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise ClusterError(f"{what} did not happen within {timeout:.0f} s{tail}")
        time.sleep(0.1)


# --- the store ----------------------------------------------------------------------------------------


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def is_local(db: str) -> bool:
    return urlsplit(db).hostname in ("127.0.0.1", "localhost", "::1")


def _pg_server(db: str, bindir: Path, pg_dir: Path) -> PostgresServer:
    parts = urlsplit(db)
    return PostgresServer(pg_dir, parts.port or 5432, bindir, parts.username or "postgres")


def start_local_postgres(db: str, pg_dir: Path, log: Path) -> None:
    """initdb into pg_dir on first use, start the server on the URL's port, create the URL's database."""
    bindir = find_bindir()
    server = _pg_server(db, bindir, pg_dir)
    as_root = os.geteuid() == 0
    if not (pg_dir / "PG_VERSION").exists():
        pg_dir.mkdir(parents=True, exist_ok=True)
        if as_root:  # initdb refuses root: the server runs as the package's postgres user
            shutil.chown(pg_dir, "postgres", "postgres")
        pg_dir.chmod(0o700)
        done = _as_owner([str(bindir / "initdb"), "-D", str(pg_dir), "-U", server.user, "-A", "trust", "-E", "UTF8"])
        if done.returncode != 0:
            raise ClusterError(f"initdb into {pg_dir} failed: {done.stderr.strip()}")
    if _as_owner([str(bindir / "pg_ctl"), "-D", str(pg_dir), "status"]).returncode != 0:
        log.touch()
        if as_root:
            shutil.chown(log, "postgres", "postgres")
        options = f"-p {server.port} -k {pg_dir} -c listen_addresses=127.0.0.1"
        done = _as_owner([str(bindir / "pg_ctl"), "-D", str(pg_dir), "-o", options, "-l", str(log), "-w", "start"])
        if done.returncode != 0:
            raise ClusterError(f"PostgreSQL did not start: {done.stderr.strip()} (its log: {log})")
    dbname = urlsplit(db).path.lstrip("/") or server.user
    if not server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'").strip():
        server.psql(f'CREATE DATABASE "{dbname}"')


def stop_local_postgres(pg_dir: Path) -> None:
    if (pg_dir / "postmaster.pid").exists():
        _as_owner([str(find_bindir() / "pg_ctl"), "-D", str(pg_dir), "-m", "fast", "-w", "stop"])


def _postgres_tables(db: str) -> int:
    parts = urlsplit(db)
    server = PostgresServer(Path(), parts.port or 5432, find_bindir(), parts.username or "postgres")
    dbname = parts.path.lstrip("/") or server.user
    return int(server.psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", dbname))


def _data_layer(db: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "JESR_DB": db, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "data_layer", "--db", db, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def init_store(cluster: Cluster, demo_if_new: int | None) -> None:
    """Create (or migrate) the schema the replicas will use: once, or once per replica's own file."""
    extra = ["--demo-if-new", str(demo_if_new)] if demo_if_new else []
    if is_postgres(cluster.db):
        # In a scratch directory: a data layer that reads the URL as a file name leaves its stray file there.
        with tempfile.TemporaryDirectory(prefix="jesr-init-") as scratch:
            done = _data_layer(cluster.db, "init", *extra, cwd=Path(scratch))
        if done.returncode != 0:
            raise ClusterError(
                f"python -m data_layer --db {cluster.db} init failed: {_last_line(done)}\n"
                "The replicas share their records through a data layer that opens PostgreSQL from this URL."
            )
        if _postgres_tables(cluster.db) == 0:
            raise ClusterError(
                f"python -m data_layer --db {cluster.db} init created no table in PostgreSQL: this data layer "
                "does not select PostgreSQL from a postgresql:// URL, so the replicas would not share a store"
            )
        return
    names = cluster.names() if "{replica}" in cluster.db else [cluster.names()[0]]
    first = Path(cluster.replica_db(names[0]))
    first.parent.mkdir(parents=True, exist_ok=True)
    done = _data_layer(str(first), "init", *extra)
    if done.returncode != 0:
        raise ClusterError(f"python -m data_layer --db {first} init failed: {_last_line(done)}")
    for name in names[1:]:
        target = Path(cluster.replica_db(name))
        if not target.exists():
            shutil.copy(first, target)


def _last_line(done: subprocess.CompletedProcess) -> str:
    lines = (done.stderr or done.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


# --- replicas -----------------------------------------------------------------------------------------


def start_replica(cluster: Cluster, name: str) -> None:
    env = {**os.environ, "JESR_DB": cluster.replica_db(name), "JESR_REPLICA": name}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.address",
        "127.0.0.1",  # reached through the proxy only
        "--server.port",
        str(cluster.port(name)),
        "--server.headless",
        "true",
    ]
    _spawn(command, cluster.path / f"{name}.log", cluster.path / f"{name}.pid", env)


def wait_replica(cluster: Cluster, name: str) -> None:
    pidfile, log = cluster.path / f"{name}.pid", cluster.path / f"{name}.log"

    def up() -> bool:
        if _read_pid(pidfile) is None:
            raise ClusterError(f"replica {name} exited; the end of {log}:\n" + log.read_text(errors="replace")[-2000:])
        return _healthy(cluster.port(name))

    _wait_until(up, REPLICA_START_TIMEOUT_S, f"replica {name} answering {HEALTH_PATH}", log)


# --- the proxy ----------------------------------------------------------------------------------------


def render_haproxy_config(cluster: Cluster, template: Path = TEMPLATE) -> str:
    servers = "\n".join(f"    server {name} 127.0.0.1:{cluster.port(name)} cookie {name}" for name in cluster.names())
    return string.Template(template.read_text(encoding="utf-8")).substitute(
        stats_socket=cluster.stats_socket, bind=cluster.proxy_bind, port=cluster.proxy_port, servers=servers
    )


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)
    if not found:
        raise ClusterError("haproxy missing: install Debian's haproxy package (`make cluster` does it as root)")
    return found


def start_proxy(cluster: Cluster) -> None:
    config = cluster.path / "haproxy.cfg"
    config.write_text(render_haproxy_config(cluster), encoding="utf-8")
    haproxy = haproxy_binary()
    checked = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise ClusterError(f"{config} is not a valid HAProxy configuration: {checked.stderr.strip()}")
    log = cluster.path / "haproxy.log"
    _spawn([haproxy, "-db", "-f", str(config)], log, cluster.path / "haproxy.pid")
    _wait_until(lambda: cluster.stats_socket.exists() and _stats_ok(cluster), 15, "HAProxy starting", log)
    for name in cluster.names():
        _wait_until(lambda name=name: server_status(cluster, name) == "UP", 15, f"HAProxy seeing {name} up", log)


def haproxy_command(cluster: Cluster, command: str) -> str:
    """One command on HAProxy's runtime API (the stats socket in the run directory)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(cluster.stats_socket))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def _stats_ok(cluster: Cluster) -> bool:
    try:
        haproxy_command(cluster, "show info")
        return True
    except OSError:
        return False


def server_states(cluster: Cluster) -> dict[str, str]:
    """Replica name -> HAProxy's status of it (UP, DOWN, MAINT, "UP 1/2", ...)."""
    table = haproxy_command(cluster, "show stat").lstrip("# ")
    return {
        row["svname"]: row["status"]
        for row in csv.DictReader(io.StringIO(table))
        if row["pxname"] == BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")
    }


def _open_sessions(cluster: Cluster, name: str) -> int:
    table = haproxy_command(cluster, "show stat").lstrip("# ")
    for row in csv.DictReader(io.StringIO(table)):
        if row["pxname"] == BACKEND and row["svname"] == name:
            return int(row["scur"] or 0)
    return 0


def server_status(cluster: Cluster, name: str) -> str:
    try:
        return server_states(cluster).get(name, "")
    except OSError:
        return ""


# --- commands -----------------------------------------------------------------------------------------


def start(cluster: Cluster, demo_if_new: int | None) -> None:
    run = cluster.path
    run.mkdir(parents=True, exist_ok=True)
    if any(_read_pid(run / f"{n}.pid") for n in ("haproxy", *cluster.names())):
        raise ClusterError(f"a cluster is already running from {run}: `make cluster-stop` first")
    if not is_postgres(cluster.db) and "{replica}" not in cluster.db and cluster.replicas > 1:
        raise ClusterError(
            f"{cluster.db} is a DuckDB file, which one process opens at a time: give a postgresql:// URL, "
            "or a path with {replica} for one unshared file per replica"
        )
    haproxy_binary()  # before anything starts
    cluster.save()
    try:
        if is_postgres(cluster.db) and cluster.pg_dir:
            print(f"PostgreSQL: {cluster.pg_dir} on port {urlsplit(cluster.db).port}")
            start_local_postgres(cluster.db, Path(cluster.pg_dir), run / "postgres.log")
        print(f"Schema: python -m data_layer --db {cluster.db} init")
        init_store(cluster, demo_if_new)
        for name in cluster.names():
            start_replica(cluster, name)
        for name in cluster.names():
            wait_replica(cluster, name)
            print(f"Replica {name}: http://127.0.0.1:{cluster.port(name)} ({run / (name + '.log')})")
        start_proxy(cluster)
    except (ClusterError, PostgresUnavailable, RuntimeError) as problem:
        stop(cluster)
        raise ClusterError(f"{problem}\nThe cluster was stopped again.") from None
    except BaseException:
        stop(cluster)
        raise
    print(f"Jesr: {cluster.url} — {cluster.replicas} replicas behind HAProxy; logs in {run}")


def stop(cluster: Cluster) -> None:
    _terminate(cluster.path / "haproxy.pid")
    for name in cluster.names():
        _terminate(cluster.path / f"{name}.pid")
    cluster.stats_socket.unlink(missing_ok=True)
    if cluster.pg_dir:
        stop_local_postgres(Path(cluster.pg_dir))


def restart(cluster: Cluster) -> None:
    """Each replica in turn: out of rotation, stopped, started, healthy, back in; the others serve meanwhile."""
    if _read_pid(cluster.path / "haproxy.pid") is None:
        raise ClusterError(f"HAProxy is not running from {cluster.path}: `make cluster` first")
    for name in cluster.names():
        # MAINT sends nobody new to it, and its sticky visitors to another replica (redispatch).
        haproxy_command(cluster, f"set server {BACKEND}/{name} state maint")
        # Requests under way finish; websocket sessions never do, so after DRAIN_TIMEOUT_S they are
        # closed and their browsers reconnect through the proxy to another replica.
        _wait_for(lambda name=name: _open_sessions(cluster, name) == 0, DRAIN_TIMEOUT_S)
        haproxy_command(cluster, f"shutdown sessions server {BACKEND}/{name}")
        _terminate(cluster.path / f"{name}.pid")
        start_replica(cluster, name)
        wait_replica(cluster, name)
        haproxy_command(cluster, f"set server {BACKEND}/{name} state ready")
        _wait_until(lambda name=name: server_status(cluster, name) == "UP", 15, f"HAProxy seeing {name} up")
        print(f"Replica {name} restarted")


def status(cluster: Cluster) -> None:
    try:
        states = server_states(cluster)
    except OSError:
        states = {}
    print(f"Proxy {cluster.url}: {'running' if _read_pid(cluster.path / 'haproxy.pid') else 'stopped'}")
    for name in cluster.names():
        running = "running" if _read_pid(cluster.path / f"{name}.pid") else "stopped"
        print(f"{name} :{cluster.port(name)} {running}, proxy sees {states.get(name, '-')}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="pids, logs, generated configuration")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("start", help="start the store, the replicas and the proxy")
    up.add_argument("--db", default=DEFAULT_DB, help=f"the store (default {DEFAULT_DB})")
    up.add_argument("--replicas", type=int, default=2)
    up.add_argument("--base-port", type=int, default=8601, help="port of replica r1; r2 takes the next, and so on")
    up.add_argument("--port", type=int, default=8600, help="the proxy's port")
    up.add_argument("--bind", default="0.0.0.0", help="the proxy's address")
    up.add_argument(
        "--pg-dir",
        type=Path,
        help="run the store's PostgreSQL (a 127.0.0.1 URL) from this data directory, initialised on first use; "
        "without it, the server at the URL is used as it is",
    )
    up.add_argument("--demo-if-new", type=int, metavar="N", help="fill a new store with N demo households")
    sub.add_parser("stop", help="stop the proxy, the replicas and the local PostgreSQL")
    sub.add_parser("restart", help="restart the replicas one at a time, the site staying up")
    sub.add_parser("status", help="what runs, and what the proxy's health checks see")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run_dir = args.run_dir.resolve()
    try:
        if args.command == "start":
            local_pg = args.pg_dir is not None and is_postgres(args.db) and is_local(args.db)
            cluster = Cluster(
                run_dir=str(run_dir),
                db=args.db if is_postgres(args.db) else str(Path(args.db).resolve()),
                replicas=args.replicas,
                base_port=args.base_port,
                proxy_port=args.port,
                proxy_bind=args.bind,
                pg_dir=str(args.pg_dir.resolve()) if local_pg else None,
            )
            start(cluster, args.demo_if_new)
        elif args.command == "stop" and not (run_dir / "cluster.json").exists():
            print(f"No cluster runs from {run_dir}.")
        else:
            cluster = Cluster.load(run_dir)
            {"stop": stop, "restart": restart, "status": status}[args.command](cluster)
    except ClusterError as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
