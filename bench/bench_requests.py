"""Benchmark: POST a request -> visible in the receiving bank's inbox, through the real stack.

Starts its own bench database (fraudgov_bench_requests), a Celery worker (2 processes) and
uvicorn on a free port, then:
  1. latency phase: clients POST stop-payments at a fixed rate (default 50/s) while bank A's
     client polls its inbox; prints POST-to-visible latency p50/p95/p99;
  2. throughput phase: clients POST as fast as they can for ~20 s; prints requests/second;
and finally counts lost (accepted but never delivered) and doubled (one Idempotency-Key that
made two requests, or a request delivered twice). 5% of POSTs are retried with the same key.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fraudgov REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/bench_requests.py [--rate 50] [--seconds 10] [--burst-seconds 20]
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("BENCH_DB", "fraudgov_bench_requests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env() -> dict:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fraudgov")
    parts = urlsplit(base)
    return {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + BENCH_DB)),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "DJANGO_SETTINGS_MODULE": "fraudgov.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
    }


def server_env(env) -> dict:
    # Django under ASGI runs each request in its own thread context: a persistent connection
    # cannot outlive its request, so the server keeps idle ones in a per-process pool instead.
    return {**env, "CONN_MAX_AGE": "0", "DB_POOL_SIZE": os.environ.get("BENCH_DB_POOL_SIZE", "16")}


def worker_env(env) -> dict:
    # Worker processes are long-lived and single-threaded: keep their connection (the default).
    return {**env, "CONN_MAX_AGE": "60"}


def manage(env, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


SETUP = """
from agencies.demo import seed_agencies
from agencies.models import User
from rest_framework.authtoken.models import Token
seed_agencies()
for name in ("analyst", "bank_a"):
    print(Token.objects.get_or_create(user=User.objects.get(username=name))[0].key)
"""

COUNT = """
from alerts.models import Request, Outbox
from events.models import Event
from django.db.models import Count
print(Request.objects.count())
print(Request.objects.filter(status="delivered").count())
print(Outbox.objects.filter(delivered_at__isnull=True).count())
dup = Event.objects.filter(kind="request.delivered").values("payload__id", "agency_id").annotate(n=Count("id")).filter(n__gt=1).count()
print(dup)
"""

DELIVERY_RATE = """
from datetime import datetime, timezone
from django.db.models import Count, Max, Min
from alerts.models import Request
row = Request.objects.filter(created_at__gte=datetime.fromtimestamp(%r, timezone.utc)).aggregate(
    n=Count("id"), first=Min("created_at"), last=Max("delivered_at"))
print(row["n"], (row["last"] - row["first"]).total_seconds() if row["n"] else 0)
"""


def prepare(env) -> tuple[str, str]:
    base = urlsplit(env["DATABASE_URL"])
    admin_env = {**env, "DATABASE_URL": urlunsplit(base._replace(path="/postgres"))}
    sql = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE); CREATE DATABASE {BENCH_DB};"
    for statement in sql.split(";")[:2]:
        subprocess.run([sys.executable, "-c", (
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','fraudgov.settings'); django.setup();"
            "from django.db import connection; connection.ensure_connection(); connection.connection.autocommit=True;"
            f"connection.cursor().execute({statement.strip()!r})")], cwd=ROOT, env=admin_env, check=True)
    manage(env, "migrate", "--noinput")
    tokens = manage(env, "shell", "-c", SETUP).split()
    return tokens[-2], tokens[-1]


def start(env, port):
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fraudgov", "worker", "--concurrency=2", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", "bench@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(env), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", os.environ.get("BENCH_APP", "fraudgov.asgi:application"), *os.environ.get("BENCH_UVICORN_ARGS", "").split(), "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=server_env(env), start_new_session=True)
    return worker, server


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Poster:
    """Issues stop-payments; remembers when each POST started, by request id."""

    def __init__(self, base, token):
        self.url = base + "/api/v1/requests/"
        self.headers = {"Authorization": "Token " + token}
        self.local = threading.local()
        self.sent_at: dict[int, float] = {}
        self.keys: set[str] = set()
        self.errors = 0
        self.lock = threading.Lock()
        self.counter = 0

    def session(self):
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s

    def post(self) -> None:
        with self.lock:
            self.counter += 1
            n = self.counter
        key = uuid.uuid4().hex
        body = {"kind": "stop_payment", "target_kind": "account", "target_value": "622202%013d" % n, "amount": "1000.00"}
        started = time.monotonic()
        tries = 2 if n % 20 == 0 else 1  # 5%: the agency system retries with the same key
        for _ in range(tries):
            try:
                answer = self.session().post(self.url, json=body, headers={**self.headers, "Idempotency-Key": key}, timeout=30)
            except requests.RequestException:
                answer = None
            if answer is None or answer.status_code != 201:
                with self.lock:
                    self.errors += 1
                continue
            with self.lock:
                self.keys.add(key)
                self.sent_at.setdefault(answer.json()["id"], started)


class InboxPoller(threading.Thread):
    """Bank A's client: polls its inbox and records when each request id first appears."""

    def __init__(self, base, token, interval=0.05):
        super().__init__(daemon=True)
        self.url = base + "/api/v1/requests/"
        self.headers = {"Authorization": "Token " + token}
        self.interval = interval
        self.seen: dict[int, float] = {}
        self.stopping = threading.Event()

    def run(self):
        s = requests.Session()
        since = None
        while not self.stopping.is_set():
            polled = time.time()
            params = {"direction": "in", "status": "delivered"}
            if since:
                params["since"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since)) + "+00:00"
            url = self.url
            while url:
                try:
                    answer = s.get(url, params=params if url == self.url else None, headers=self.headers, timeout=30).json()
                except (requests.RequestException, ValueError):
                    break
                now = time.monotonic()
                for row in answer.get("results", []):
                    self.seen.setdefault(row["id"], now)
                url = answer.get("next")
            since = polled - 0.5  # overlap: a row committed just before this poll is not missed
            time.sleep(self.interval)


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst-seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    env = bench_env()
    print("preparing bench database %s ..." % BENCH_DB, flush=True)
    analyst_token, bank_token = prepare(env)
    port = free_port()
    worker, server = start(env, port)
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(200):
            try:
                if requests.get(base + "/api/v1/requests/", headers={"Authorization": "Token " + bank_token}, timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        poster = Poster(base, analyst_token)
        poller = InboxPoller(base, bank_token)
        poller.start()

        # 1. Fixed rate.
        total = int(args.rate * args.seconds)
        start_at = time.monotonic() + 0.5
        with ThreadPoolExecutor(args.clients) as pool:
            for i in range(total):
                delay = start_at + i / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(poster.post)
        ids_rate = set(poster.sent_at)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not ids_rate <= set(poller.seen):
            time.sleep(0.05)
        latencies = [poller.seen[i] - poster.sent_at[i] for i in ids_rate if i in poller.seen]
        print("latency phase: %d POSTs at %.0f/s, %d visible in the inbox" % (len(ids_rate), args.rate, len(latencies)))
        print("  POST -> visible in inbox: p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms"
              % (pct(latencies, 50), pct(latencies, 95), pct(latencies, 99), max(latencies) * 1000 if latencies else 0))

        # 2. As fast as it goes.
        poller.interval = 0.2
        before = len(poster.sent_at)
        stop_at = time.monotonic() + args.burst_seconds
        began = time.monotonic()
        began_wall = time.time()

        def loop():
            while time.monotonic() < stop_at:
                poster.post()

        with ThreadPoolExecutor(args.clients) as pool:
            for _ in range(args.clients):
                pool.submit(loop)
        elapsed = time.monotonic() - began
        accepted = len(poster.sent_at) - before
        print("throughput phase: %d requests accepted in %.1f s = %.0f requests/s (%d clients)"
              % (accepted, elapsed, accepted / elapsed, args.clients))
        poller.stopping.set()

        # 3. Lost and doubled, from the database once the worker has drained.
        for _ in range(120):
            requests_total, delivered, undelivered, dup_events = map(int, manage(env, "shell", "-c", COUNT).split()[-4:])
            if undelivered == 0:
                break
            time.sleep(1)
        lost = len(poster.sent_at) - delivered
        # Accepting is not delivering: the rate at which the burst's requests reached their bank
        # (first created -> last delivered), from the rows' own timestamps.
        n, span = manage(env, "shell", "-c", DELIVERY_RATE % began_wall).split()[-2:]
        print("throughput phase, delivered: %s requests routed and delivered in %.1f s = %.0f requests/s"
              % (n, float(span), int(n) / max(float(span), 1e-9)))
        doubled = (requests_total - len(poster.keys)) + dup_events
        print("accepted %d, rows %d, delivered %d, POST errors %d" % (len(poster.sent_at), requests_total, delivered, poster.errors))
        print("lost %d  doubled %d" % (lost, doubled))
    finally:
        stop(server)
        stop(worker)


if __name__ == "__main__":
    main()
