"""The real stack for the end-to-end benchmarks: a bench database of its own, a Celery worker,
and the production's two servers (gunicorn for HTTP, uvicorn for /ws/) on free ports, started
and stopped as process groups (bench_requests, bench_live)."""

import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(db_name: str, default_redis: str) -> dict:
    """The environment of every bench process: the bench database on DATABASE_URL's server."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fraudgov"))
    return {**os.environ, "DATABASE_URL": urlunsplit(parts._replace(path="/" + db_name)),
            "REDIS_URL": os.environ.get("REDIS_URL", default_redis),
            "DJANGO_SETTINGS_MODULE": "fraudgov.settings", "PYTHONPATH": str(ROOT), "DEBUG": "0"}


def server_env(env) -> dict:
    # gunicorn's threads keep their connections (CONN_MAX_AGE), as in production.
    return {**env, "CONN_MAX_AGE": "60"}


def worker_env(env) -> dict:
    # Long-lived single-threaded worker processes keep their connection (the default).
    return {**env, "CONN_MAX_AGE": "60"}


def manage(env, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def recreate_database(env) -> None:
    """A fresh, migrated bench database: every run starts from the same empty state."""
    dsn = urlsplit(env["DATABASE_URL"])
    name = dsn.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(dsn._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        cur.execute("CREATE DATABASE %s" % name)
    admin.close()
    manage(env, "migrate", "--noinput")


def start(env, port, *, name: str, concurrency: int, uvicorn_args=()) -> tuple:
    """A Celery worker and the servers, as production runs them: gunicorn (deploy/gunicorn.conf.py,
    ``BENCH_WEB_WORKERS`` processes of ``BENCH_WEB_THREADS`` threads) on ``port`` and uvicorn for
    the sockets (``BENCH_SOCKET_WORKERS`` processes) on another free port, both in one process
    group; returns (worker, server), with the sockets' base URL as ``server.ws_base``."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fraudgov", "worker", "--concurrency=%d" % concurrency,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name + "@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(env), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ws_port = free_port()
    web = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    socket_server = [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", *uvicorn_args,
                     *os.environ.get("BENCH_UVICORN_ARGS", "").split(), "--host", "127.0.0.1", "--port", str(ws_port),
                     "--workers", os.environ.get("BENCH_SOCKET_WORKERS", "2"), "--no-access-log",
                     "--log-level", "warning", "--no-proxy-headers"]
    server = subprocess.Popen(
        ["sh", "-c", '"$@" & exec %s' % " ".join(shlex.quote(a) for a in socket_server), "servers", *web],
        cwd=ROOT, start_new_session=True,
        env={**server_env(env), "WEB_BIND": "127.0.0.1:%d" % port, "WEB_LOG_LEVEL": "warning",
             "WEB_WORKERS": os.environ.get("BENCH_WEB_WORKERS", "2"),
             "WEB_THREADS": os.environ.get("BENCH_WEB_THREADS", "8")})
    server.ws_base = "ws://127.0.0.1:%d" % ws_port
    return worker, server


def stop(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class CpuMeter:
    """CPU seconds (user + system, from /proc) spent by the server's and the worker's process
    groups, the bench database's PostgreSQL backends and this process, between ``start`` and
    ``stop``. Unlike a rate, CPU per request hardly moves with what else the shared machine is
    doing, so two runs can be compared on it; it still scales with the host's own speed."""

    def __init__(self, env, groups: dict):
        self.dsn, self.groups = env["DATABASE_URL"], groups  # name -> a Popen leading its group

    def _sample(self) -> dict:
        ticks = os.sysconf("SC_CLK_TCK")
        by_group = {proc.pid: name for name, proc in self.groups.items()}
        backends = self._backends()
        out = dict.fromkeys([*self.groups, "postgres", "bench"], 0.0)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            used = (int(fields[11]) + int(fields[12])) / ticks
            pid, pgrp = int(entry), int(fields[2])
            if pgrp in by_group:
                out[by_group[pgrp]] += used
            elif pid in backends:
                out["postgres"] += used
            elif pid == os.getpid():
                out["bench"] += used
        return out

    def _backends(self) -> set:
        conn = psycopg2.connect(self.dsn)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
                return {row[0] for row in cur.fetchall()}
        finally:
            conn.close()

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict:
        after = self._sample()
        return {name: after[name] - self.before.get(name, 0.0) for name in after}


def pct(values, p):
    """The p-th percentile (nearest rank) of values; NaN for none."""
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
