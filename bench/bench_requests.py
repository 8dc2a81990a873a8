"""Benchmark: POST a request -> visible in the receiving bank's inbox, through the real stack.

Starts its own bench database (fraudgov_bench_requests), a Celery worker (2 processes) and the
servers as production runs them (bench/stack.py: gunicorn, uvicorn for /ws/), then:
  1. latency phase: clients POST stop-payments at a fixed rate (default 50/s) while bank A's
     client polls its inbox; prints POST-to-visible latency p50/p95/p99;
  2. throughput phase: clients POST as fast as they can for ~20 s; prints requests/second;
and finally counts lost (accepted but never delivered) and doubled (one Idempotency-Key that
made two requests, or a request delivered twice). 5% of POSTs are retried with the same key.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fraudgov REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/bench_requests.py [--rate 50] [--seconds 10] [--burst-seconds 20]
"""

import argparse
import http.client
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit


from stack import CpuMeter, bench_env, free_port, manage, pct, recreate_database, start, stop

BENCH_DB = os.environ.get("BENCH_DB", "fraudgov_bench_requests")


SETUP = """
from agencies.demo import seed_agencies
from agencies.models import User
from rest_framework.authtoken.models import Token
seed_agencies()
for name in ("analyst", "bank_a"):
    print(Token.objects.get_or_create(user=User.objects.get(username=name))[0].key)
"""

COUNT = """
from alerts.models import Request
from events.models import Event
from django.db.models import Count
print(Request.objects.count())
print(Request.objects.filter(status="delivered").count())
print(Request.objects.filter(delivery_pending=True).count())
dup = Event.objects.filter(kind="request.delivered").values("payload__id", "agency_id").annotate(n=Count("id")).filter(n__gt=1).count()
print(dup)
"""

ROUTED = """
from alerts.models import Request
for created, delivered in Request.objects.filter(id__gte=%d, delivered_at__isnull=False).values_list("created_at", "delivered_at"):
    print((delivered - created).total_seconds() * 1000)
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
    recreate_database(env)
    tokens = manage(env, "shell", "-c", SETUP).split()
    return tokens[-2], tokens[-1]


class Client:
    """One keep-alive HTTP/1.1 connection per thread, with the standard library's http.client:
    the load generator shares the machine with the stack it measures, and ``requests`` spent
    about a millisecond of its CPU per call building sessions, hooks and adapters."""

    def __init__(self, base, token):
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.headers = {"Authorization": "Token " + token, "Content-Type": "application/json"}
        self.local = threading.local()

    def call(self, method, path, body=None, headers=None) -> tuple[int, object]:
        """(status, decoded JSON); (0, None) when the connection failed (it is re-opened)."""
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={**self.headers, **(headers or {})})
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            return 0, None
        try:
            return answer.status, json.loads(data) if data else None
        except ValueError:
            return answer.status, None


class Poster:
    """Issues stop-payments; remembers when each POST started, by request id."""

    def __init__(self, base, token):
        self.client = Client(base, token)
        self.sent_at: dict[int, float] = {}
        self.keys: set[str] = set()
        self.errors = 0
        self.lock = threading.Lock()
        self.counter = 0
        self.answered_ms: list[float] = []  # POST -> its 201 (the first try)

    def post(self) -> None:
        with self.lock:
            self.counter += 1
            n = self.counter
        key = uuid.uuid4().hex
        body = {"kind": "stop_payment", "target_kind": "account", "target_value": "622202%013d" % n, "amount": "1000.00"}
        started = time.monotonic()
        tries = 2 if n % 20 == 0 else 1  # 5%: the agency system retries with the same key
        for _ in range(tries):
            code, answer = self.client.call("POST", "/api/v1/requests/", body, {"Idempotency-Key": key})
            if code != 201:
                with self.lock:
                    self.errors += 1
                continue
            with self.lock:
                self.keys.add(key)
                self.sent_at.setdefault(answer["id"], started)
                self.answered_ms.append((time.monotonic() - started) * 1000)


class InboxPoller(threading.Thread):
    """Bank A's system: polls its inbox and records when each request id first appears.

    ``events`` (the default) follows ``GET /api/v1/events/?since=<last id>``, the way an agency
    system is meant to: ids are handed out in commit order, so a cursor never skips a row and
    each poll returns only what is new. ``list`` polls ``GET /api/v1/requests/?since=<time>``
    with an overlap, re-reading every row several times, and can miss a row whose commit lags
    its ``updated_at`` by more than the overlap (README, "Benchmarks").
    """

    def __init__(self, base, token, mode="events", interval=0.05):
        super().__init__(daemon=True)
        self.client = Client(base, token)
        self.mode = mode
        self.interval = interval
        self.seen: dict[int, float] = {}
        self.polls = 0
        self.stopping = threading.Event()

    def run(self):
        poll = self._poll_events if self.mode == "events" else self._poll_list
        state = {}
        while not self.stopping.is_set():
            poll(state)
            time.sleep(self.interval)

    def _poll_events(self, state):
        while True:
            code, page = self.client.call("GET", "/api/v1/events/?limit=500&since=%d" % state.get("since", 0))
            self.polls += 1
            if code != 200:
                return
            now = time.monotonic()
            for event in page["results"]:
                if event["kind"] == "request.delivered":
                    self.seen.setdefault(event["payload"]["id"], now)
            state["since"] = page["last_id"]
            if not page["more"]:
                return

    def _poll_list(self, state):
        polled = time.time()
        params = {"direction": "in", "status": "delivered"}
        if state.get("since"):
            params["since"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(state["since"])) + "+00:00"
        path = "/api/v1/requests/?" + urlencode(params)
        while path:
            code, page = self.client.call("GET", path)
            self.polls += 1
            if code != 200:
                break
            now = time.monotonic()
            for row in page.get("results", []):
                self.seen.setdefault(row["id"], now)
            path = page["next"] and urlsplit(page["next"])._replace(scheme="", netloc="").geturl()
        state["since"] = polled - 0.5  # overlap: a row committed just before this poll is not missed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst-seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=32, help="POSTs sent before the clock starts")
    parser.add_argument("--poll", choices=("events", "list"), default="events",
                        help="how bank A's system follows its inbox (InboxPoller)")
    args = parser.parse_args()

    env = bench_env(BENCH_DB, "redis://127.0.0.1:6379/3")
    print("preparing bench database %s ..." % BENCH_DB, flush=True)
    analyst_token, bank_token = prepare(env)
    port = free_port()
    worker, server = start(env, port, name="bench", concurrency=2,
                           uvicorn_args=("--loop", "uvloop", "--http", "httptools"))
    base = "http://127.0.0.1:%d" % port
    try:
        probe = Client(base, bank_token)
        for _ in range(200):
            if probe.call("GET", "/api/v1/requests/")[0] == 200:
                break
            time.sleep(0.1)
        # Warm-up, not measured: every server and worker process pays once for its first
        # request (its first broker and database connections); concurrent, so that each
        # server process gets some. Counted in lost/doubled like every other request.
        poster = Poster(base, analyst_token)
        with ThreadPoolExecutor(args.clients) as pool:
            for _ in range(args.warmup):
                pool.submit(poster.post)
        time.sleep(1.0)
        warmed = set(poster.sent_at)
        poster.answered_ms.clear()
        poller = InboxPoller(base, bank_token, args.poll)
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
        ids_rate = set(poster.sent_at) - warmed
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not ids_rate <= set(poller.seen):
            time.sleep(0.05)
        latencies = [poller.seen[i] - poster.sent_at[i] for i in ids_rate if i in poller.seen]
        answered = list(poster.answered_ms)
        routed = [float(x) for x in manage(env, "shell", "-c", ROUTED % min(ids_rate)).split()[-len(ids_rate):]]
        print("latency phase: %d POSTs at %.0f/s (after %d warm-up POSTs), %d visible in the inbox (polling %s)"
              % (len(ids_rate), args.rate, args.warmup, len(latencies), args.poll))
        print("  POST -> visible in inbox: p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms"
              % (pct(latencies, 50) * 1000, pct(latencies, 95) * 1000, pct(latencies, 99) * 1000,
                 max(latencies) * 1000 if latencies else 0))
        print("  of which: POST answered p50 %.0f ms p99 %.0f ms; stored -> delivered (row timestamps) p50 %.0f ms p99 %.0f ms"
              % (pct(answered, 50), pct(answered, 99), pct(routed, 50), pct(routed, 99)))

        # 2. As fast as it goes.
        poller.interval = 0.2
        before = len(poster.sent_at)
        stop_at = time.monotonic() + args.burst_seconds
        began = time.monotonic()
        began_wall = time.time()

        def loop():
            while time.monotonic() < stop_at:
                poster.post()

        meter = CpuMeter(env, {"server": server, "worker": worker})
        meter.start()
        with ThreadPoolExecutor(args.clients) as pool:
            for _ in range(args.clients):
                pool.submit(loop)
        elapsed = time.monotonic() - began
        used = meter.stop()
        accepted = len(poster.sent_at) - before
        print("throughput phase: %d requests accepted in %.1f s = %.0f requests/s (%d clients)"
              % (accepted, elapsed, accepted / elapsed, args.clients))
        # Backends that ended during the burst are not counted (the pools keep theirs).
        print("  CPU per accepted request: " + ", ".join(
            "%s %.2f ms" % (name, seconds * 1000 / max(accepted, 1)) for name, seconds in used.items())
            + "; total %.2f ms (2 cores at 100%% for 200 requests/s allow 10 ms)"
            % (sum(used.values()) * 1000 / max(accepted, 1)))
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
