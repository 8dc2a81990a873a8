"""Benchmark of the dashboards on a big data set (not a test).

    .venv/bin/python bench/bench_dashboards.py [--cases 1000000] [--requests 3000000] [--db fraudgov_bench_dash]

Uses its own database (default fraudgov_bench_dash, created if missing): 1,000,000 cases from
the bulk generator (cases.generator_bulk, COPY), then 3,000,000 requests written with COPY
(kinds, fates and timings spread like the real mix: stop-payments to banks, blocks to
carriers, takedowns to platforms, dissuasion to a station and its community ...), then the
rollups rebuilt from scratch (``rebuild_rollups``). Prints the build times, the cost of one
incremental refresh of today, and p50/p95 of the real page and API views for the leader:
the dashboard page and the summary API, for the city and for one community (last 30 days),
the timeseries API over a year, the league page and the assessment API, a drill-down, hot spots
and the weekly report.
"""

import argparse
import io
import os
import random
import time
from datetime import timedelta
from decimal import Decimal

from dataset import ensure_cases, report, setup_django, timed

# kind -> (share, receiving agency codes, target kind)
KINDS = [
    ("stop_payment", 0.40, ["bank-icbc", "bank-abc", "bank-ccb", "bank-cmb", "pay-alipay"], "account"),
    ("freeze", 0.10, ["bank-icbc", "bank-abc", "bank-ccb", "bank-cmb"], "account"),
    ("number_block", 0.20, ["tel-cmcc", "tel-cucc", "tel-ctcc"], "phone"),
    ("takedown", 0.10, ["net-tencent", "net-bytedance"], "url"),
    ("info_query", 0.05, ["bank-icbc", "tel-cmcc", "net-tencent"], "account"),
    ("dissuasion", 0.15, [("ps-renmin", "cm-xingfuli"), ("ps-hubin", "cm-hupan"), ("ps-chengguan", "cm-chengguan")], "person"),
]
DEADLINES = {"stop_payment": (5, 30), "freeze": (None, 1440), "number_block": (None, 120), "takedown": (None, 1440),
             "info_query": (None, 1440), "dissuasion": (30, None)}


def write_requests(n: int, *, seed: int, log=print) -> float:
    """COPY ``n`` requests spread over the cases' year; returns seconds taken."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency
    from alerts.models import Request
    from cases.models import Case

    t0 = time.perf_counter()
    rng = random.Random(seed)
    agencies = dict(Agency.objects.values_list("code", "pk"))
    centre = agencies["w-centre"]
    lo, hi = Case.objects.order_by("pk").values_list("pk", flat=True).first(), Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    regions = list(Case.objects.order_by().values_list("region_id", flat=True).distinct())
    now = timezone.now()
    fields = [f for f in Request._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    defaults = {f.column: f.get_default() for f in fields}
    cumulative, acc = [], 0.0
    for kind in KINDS:
        acc += kind[1]
        cumulative.append((acc, kind))
    base = (Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def cell(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, list | dict):
            import json

            return json.dumps(v).replace("\\", "\\\\")
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return str(v).replace("\t", " ").replace("\n", " ")

    def rows(start, count):
        for i in range(start, start + count):
            r = rng.random()
            kind, _share, targets, target_kind = next(k for c, k in cumulative if r <= c)
            created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
            delivered = created + timedelta(seconds=rng.uniform(1, 10))
            ack_m, done_m = DEADLINES[kind]
            fate = rng.random()
            status = "completed" if fate < 0.82 else "acknowledged" if fate < 0.88 else "rejected" if fate < 0.93 else (
                "failed" if fate < 0.95 else "delivered")
            if created > now - timedelta(hours=1) and status == "completed":
                status = "delivered"
            acked = delivered + timedelta(seconds=rng.lognormvariate(5.5, 1.0)) if status in ("completed", "acknowledged") else None
            completed = acked + timedelta(seconds=rng.lognormvariate(7.0, 1.2)) if status == "completed" else None
            target = rng.choice(targets)
            row = dict(defaults)
            row.update({
                "number": "BR%010d" % (base + i), "kind": kind, "status": status,
                "case_id": rng.randint(lo, hi) if kind != "dissuasion" else None,
                "issuing_agency_id": centre,
                "target_agency_id": agencies[target[0] if isinstance(target, tuple) else target],
                "secondary_agency_id": agencies[target[1]] if isinstance(target, tuple) else None,
                "target_kind": target_kind, "target_value": "6222%015d" % rng.randint(0, 10**15),
                "amount": Decimal(rng.randint(100, 200_000)), "routing_tried": [], "result": {},
                "person_region_id": rng.choice(regions) if kind == "dissuasion" else None,
                "created_at": created, "updated_at": completed or acked or delivered, "delivered_at": delivered,
                "acknowledged_at": acked, "completed_at": completed,
                "ack_due_at": delivered + timedelta(minutes=ack_m) if ack_m else None,
                "complete_due_at": delivered + timedelta(minutes=done_m) if done_m else None,
                "amount_secured": Decimal(rng.randint(0, 100_000)) if completed and kind in ("stop_payment", "freeze") else None,
                "freeze_action": "freeze" if kind == "freeze" else "",
                "outcome": rng.choice(["dissuaded", "dissuaded", "dissuaded", "already_paid", "unreachable"])
                if completed and kind == "dissuasion" else "",
                "reject_reason": "测试退回" if status == "rejected" else "",
            })
            late = (ack_m and acked and acked > row["ack_due_at"]) or (done_m and completed and completed > row["complete_due_at"])
            row["escalated_at"] = (row["ack_due_at"] or row["complete_due_at"]) if late else None
            yield "\t".join(cell(row[c]) for c in columns) + "\n"

    chunk = 250_000
    with transaction.atomic():
        for start in range(0, n, chunk):
            buf = io.StringIO()
            buf.writelines(rows(start, min(chunk, n - start)))
            buf.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {Request._meta.db_table} ({', '.join(columns)}) FROM STDIN", buf)
            log(f"requests: {start + min(chunk, n - start)} written ({time.perf_counter() - t0:.0f}s)")
        with connection.cursor() as cursor:
            table = Request._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Request._meta.db_table}")
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=3_000_000)
    parser.add_argument("--db", default="fraudgov_bench_dash")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the rollups even if they exist")
    args = parser.parse_args()

    setup_django(args.server, args.db)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from agencies.models import User
    from alerts.models import Request
    from cases.models import Case
    from dashboards.models import CaseDaily, RequestDaily
    from dashboards.rollups import mark_days, rebuild, refresh_dirty

    built = ensure_cases(args.cases, seed=args.seed)
    have = Request.objects.count()
    if have < args.requests:
        print(f"generating {args.requests - have} requests with COPY ...", flush=True)
        print(f"requests written in {write_requests(args.requests - have, seed=args.seed + have):.1f}s", flush=True)
        built = True
    if built or args.rebuild or not CaseDaily.objects.exists():
        t = time.perf_counter()
        days = rebuild(log=lambda m: print(m, flush=True))
        print(f"rollups rebuilt from scratch: {days} days in {time.perf_counter() - t:.1f}s", flush=True)
    print(f"data set: {Case.objects.count()} cases, {Request.objects.count()} requests; rollup rows: "
          f"{CaseDaily.objects.count()} case-days, {RequestDaily.objects.count()} request-days", flush=True)

    def refresh_today():
        mark_days([timezone.localdate()])
        refresh_dirty()

    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    community = "340402001001"

    def get(url):
        def call():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        return call

    checks = [
        ("dashboard page, city (last 30 days)", get("/dashboard/")),
        ("dashboard page, community", get(f"/dashboard/?region={community}")),
        ("summary API, city", get("/api/v1/stats/summary/")),
        ("summary API, community", get(f"/api/v1/stats/summary/?region={community}")),
    ]
    for _label, fn in checks:
        for _ in range(3):
            fn()
    print(f"--- {Case.objects.count()} cases, {Request.objects.count()} requests, PostgreSQL {connection.pg_version}, "
          f"{os.cpu_count()} CPUs ---")
    report("incremental refresh of today", timed(refresh_today, 10))
    from dashboards.cache import new_generation

    def uncached(fn):
        def call():
            new_generation()  # as right after a rollup refresh: nothing cached
            fn()
        return call

    for label, fn in checks:
        report(label + " [first view]", timed(uncached(fn), args.runs // 2), 150)
        report(label + " [cached]", timed(fn, args.runs), 150)
    yearly = uncached(get("/api/v1/stats/summary/?from=%s" % (timezone.localdate() - timedelta(days=364)).isoformat()))
    report("summary API, city, last 365 days [first view]", timed(yearly, args.runs // 2), 150)
    report("timeseries API, city, 365 days by week [first view]", timed(uncached(get(
        "/api/v1/stats/timeseries/?grain=week&from=%s" % (timezone.localdate() - timedelta(days=364)).isoformat())),
        args.runs // 2), 150)
    report("dashboard page, city, this year [first view]", timed(uncached(get("/dashboard/?period=year")),
                                                                  args.runs // 4), 150)
    report("league page (this month) [first view]", timed(uncached(get("/dashboard/league/")), args.runs // 4), 150)
    report("league page (this month) [cached]", timed(get("/dashboard/league/"), args.runs // 4), 150)
    report("assessment API (this month) [first view]", timed(uncached(get("/api/v1/stats/assessment/")),
                                                             args.runs // 4), 150)
    report("assessment API (this month) [cached]", timed(get("/api/v1/stats/assessment/"), args.runs // 4), 150)
    # A whole month still open: "this month" on its last day (the beat closes a month after it
    # ends, so last month stands in for it here while it is still open in this data set).
    from dashboards.services import period_for_month

    last_month = period_for_month((timezone.localdate().replace(day=1) - timedelta(days=1)).year,
                                  (timezone.localdate().replace(day=1) - timedelta(days=1)).month)
    if not last_month.is_closed:
        report("league page (a whole open month) [first view]",
               timed(uncached(get("/dashboard/league/?period=%d" % last_month.pk)), args.runs // 4), 150)
        report("assessment API (a whole open month) [first view]",
               timed(uncached(get("/api/v1/stats/assessment/?period=%d" % last_month.pk)), args.runs // 4), 150)
    report("bank's indicator drill-down (this month)", timed(get("/dashboard/assessment/bank-icbc/within_deadline/"),
                                                             args.runs // 4), 150)
    report("hot spots page (last 30 days) [first view]", timed(uncached(get("/dashboard/hotspots/")), args.runs // 4), 150)
    report("weekly report page [first view]", timed(uncached(get("/dashboard/report/")), args.runs // 4))


if __name__ == "__main__":
    main()
