"""Benchmark: analyst's POST -> the receiving bank's WebSocket gets the event, through the real stack.

Starts its own bench database (fraudgov_bench_live), a Celery worker, gunicorn and uvicorn (Redis channel
layer), connects 200 token-authenticated sockets spread over every demo user, POSTs stop-payments
through alerts' API at a fixed rate (alternating bank A / bank B targets), and measures POST start
-> first receiving-agency socket that gets ``request.delivered`` for that request (p50/p95/p99),
plus events lost (a socket of the target agency that never got it). In the same run it measures
the floor: one PostgreSQL INSERT+COMMIT plus one Redis PUBLISH -> subscriber round trip.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fraudgov REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/bench_live.py [--rate 20] [--seconds 15] [--sockets 200]
"""

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import datetime

import psycopg2
import redis
import requests
import websockets

from stack import bench_env, free_port, manage, pct, recreate_database, start, stop

BENCH_DB = os.environ.get("BENCH_DB", "fraudgov_bench_live")
TARGETS = {"bank-icbc": "6222020200%09d", "bank-abc": "6228480200%09d"}

SETUP = """
import json
from agencies.demo import seed_agencies
from agencies.models import User
from rest_framework.authtoken.models import Token
seed_agencies()
out = [(u.username, u.agency.code, Token.objects.get_or_create(user=u)[0].key)
       for u in User.objects.filter(agency__isnull=False, is_active=True).select_related("agency")]
print(json.dumps(out))
"""


def prepare(env) -> list:
    recreate_database(env)
    return json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])


def floor(env, samples=200) -> float:
    """Median ms of one INSERT+COMMIT plus one PUBLISH -> subscriber receive."""
    db = psycopg2.connect(env["DATABASE_URL"])
    r = redis.Redis.from_url(env["REDIS_URL"])
    sub = redis.Redis.from_url(env["REDIS_URL"]).pubsub()
    sub.subscribe("bench-floor")
    sub.get_message(timeout=1)
    with db.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial primary key, body jsonb)")
    db.commit()
    times = []
    for i in range(samples):
        t0 = time.perf_counter()
        with db.cursor() as cur:
            cur.execute("INSERT INTO bench_floor (body) VALUES (%s)", [json.dumps({"i": i})])
        db.commit()
        r.publish("bench-floor", str(i))
        while True:
            msg = sub.get_message(timeout=1)
            if msg and msg["type"] == "message":
                break
        times.append((time.perf_counter() - t0) * 1000)
    db.close()
    return statistics.median(times)


async def run(base, ws_base, users, args):
    ws_base = ws_base + "/ws/events/?token="
    sockets = []  # (agency code, websocket)
    for i in range(args.sockets):
        username, agency, token = users[i % len(users)]
        ws = await websockets.connect(ws_base + token, origin=base, max_queue=None)
        await ws.send(json.dumps({"type": "hello", "last_id": None}))
        while json.loads(await ws.recv())["type"] != "ready":
            pass
        sockets.append((agency, ws))
    per_agency = {code: sum(1 for a, _ in sockets if a == code) for code in TARGETS}
    received: dict[int, dict] = {}  # request id -> {socket index: monotonic time}
    stored_at: dict[int, float] = {}  # request id -> wall time the delivered event was stored

    async def reader(idx, ws):
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("kind") == "request.delivered":
                received.setdefault(msg["payload"]["id"], {}).setdefault(idx, time.monotonic())
                stored_at.setdefault(msg["payload"]["id"], datetime.fromisoformat(msg["at"]).timestamp())

    readers = [asyncio.create_task(reader(i, ws)) for i, (_, ws) in enumerate(sockets)]
    analyst = next(t for u, _, t in users if u == "analyst")
    session = requests.Session()
    session.headers["Authorization"] = "Token " + analyst
    sent: dict[int, tuple[float, str]] = {}
    post_ms, walls = [], {}
    errors = 0

    def post(n):
        agency = list(TARGETS)[n % 2]
        t0, wall = time.monotonic(), time.time()
        resp = session.post(base + "/api/v1/requests/", json={
            "kind": "stop_payment", "target_kind": "account", "target_value": TARGETS[agency] % n, "amount": "100"})
        post_ms.append((time.monotonic() - t0) * 1000)
        walls[n] = wall
        return t0, agency, resp

    # Warm-up, not measured: each server and worker process pays once for its first request
    # (imports, URL resolver, first pooled connection): about a second, the first 3 of 300.
    # Concurrent, on connections of their own, so that both server processes get some.
    def warm(n):
        with requests.Session() as own:
            own.post(base + "/api/v1/requests/", headers=session.headers, json={
                "kind": "stop_payment", "target_kind": "account", "target_value": TARGETS["bank-icbc"] % (10**8 + n),
                "amount": "100"})

    await asyncio.gather(*(asyncio.to_thread(warm, n) for n in range(args.warmup)))
    await asyncio.sleep(1.0)  # their deliveries and pushes drain before the clock starts
    total = int(args.rate * args.seconds)
    start_at = time.monotonic()
    tasks = []
    for n in range(total):
        await asyncio.sleep(max(0.0, start_at + n / args.rate - time.monotonic()))
        tasks.append(asyncio.create_task(asyncio.to_thread(post, n)))
    post_wall = {}
    for n, (t0, agency, resp) in enumerate(await asyncio.gather(*tasks)):
        if resp.status_code == 201:
            sent[resp.json()["id"]] = (t0, agency)
            post_wall[resp.json()["id"]] = walls[n]
        else:
            errors += 1
    await asyncio.sleep(5)  # let the last deliveries arrive
    for t in readers:
        t.cancel()
    for _, ws in sockets:
        await ws.close()

    latencies, lost = [], 0
    for rid, (t0, agency) in sent.items():
        got = received.get(rid, {})
        on_target = [when for idx, when in got.items() if sockets[idx][0] == agency]
        lost += per_agency[agency] - len(on_target)
        if on_target:
            latencies.append((min(on_target) - t0) * 1000)
    store_ms = [(stored_at[r] - post_wall[r]) * 1000 for r in sent if r in stored_at]
    if os.environ.get("BENCH_SLOWEST"):
        order = sorted(sent, key=lambda r: sent[r][0])
        slow = sorted(((min([w for i, w in received.get(r, {}).items()] or [0]) - sent[r][0]) * 1000, order.index(r)) for r in sent)[-8:]
        print("slowest (ms, sequence):", [(round(ms), k) for ms, k in slow])
    print("breakdown: POST response p50=%.1f ms p99=%.1f ms; POST -> delivered event stored p50=%.1f ms p99=%.1f ms"
          % (pct(post_ms, 50), pct(post_ms, 99), pct(store_ms, 50), pct(store_ms, 99)))
    return latencies, lost, errors, len(sent), per_agency


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20, help="POSTs sent (one at a time) before measuring")
    args = parser.parse_args()
    env = bench_env(BENCH_DB, "redis://127.0.0.1:6379/5")
    users = prepare(env)
    port = free_port()
    worker, server = start(env, port, name="benchlive", concurrency=4)
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        time.sleep(2)  # worker boot
        latencies, lost, errors, accepted, per_agency = asyncio.run(run(base, server.ws_base, users, args))
        floor_ms = floor(env)
    finally:
        stop(server)
        stop(worker)
    p50, p95, p99 = (pct(latencies, p) for p in (50, 95, 99)) if latencies else (float("nan"),) * 3
    print("sockets=%d (bank-icbc %d, bank-abc %d) rate=%.0f/s accepted=%d errors=%d, after %d warm-up POSTs" % (
        args.sockets, per_agency["bank-icbc"], per_agency["bank-abc"], args.rate, accepted, errors, args.warmup))
    print("POST -> receiving socket: p50=%.1f ms p95=%.1f ms p99=%.1f ms (n=%d)" % (p50, p95, p99, len(latencies)))
    print("events lost (target-agency socket deliveries missing): %d" % lost)
    print("floor (INSERT+COMMIT + PUBLISH->subscriber): %.2f ms; p50/floor = %.1fx" % (floor_ms, p50 / floor_ms))
    print("targets: p50<=50 ms %s, p99<=250 ms %s, lost=0 %s" % (p50 <= 50, p99 <= 250, lost == 0))


if __name__ == "__main__":
    main()
