"""Benchmark of the money trail (not a test): "stop all" to the last bank inbox, and the tree.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fraudgov REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/bench_money.py [--runs 20] [--tree-runs 100]

Uses a fresh bench database of its own (fraudgov_bench_money) and a real Celery worker
(2 processes, Redis broker) started as production runs it (bench/stack.py); this process is the
web side: Django's test client calls the real views in-process (no gunicorn in front).

1. "Stop all" on a case of 50 transactions to 25 receiving accounts at 4 banks: the analyst's
   POST of the confirmation (alerts.views.money.stop_all), then the worker routes and delivers
   each request. Measured per run: POST start -> the last of its 25 requests delivered (in its
   bank's inbox: status delivered, ``delivered_at`` set), found by polling the database every
   5 ms; printed p50/p95/p99 (target p99 <= 2 s), and the POST alone.
2. The money tree of one case with 5 layers and 200 accounts (each answered, with its onward
   transfers): the tree page and the API, for the analyst (whole tree) and for one bank (its
   own nodes); printed p50/p95 (target p95 <= 300 ms).
"""

import argparse
import os
import random
import time
from datetime import timedelta
from decimal import Decimal

import subprocess
import sys

from stack import ROOT, bench_env, pct, recreate_database, stop, worker_env

BENCH_DB = os.environ.get("BENCH_DB", "fraudgov_bench_money")
ACCOUNT_PREFIXES = ["622202", "622848", "621700", "622588"]  # icbc, abc, ccb, cmb (agencies.demo)


def setup_django(env) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False


def account(prefix: str, n: int) -> str:
    return prefix + "%013d" % n


def make_case(n_txn: int, n_accounts: int, seed: int):
    from agencies.models import User
    from cases.models import Typology
    from cases.services import case_create
    from django.utils import timezone

    rnd = random.Random(seed)
    officer = User.objects.select_related("agency__region").get(username="officer")
    typology = Typology.objects.get(code="brushing")
    occurred = timezone.now() - timedelta(hours=3)
    accounts = [account(ACCOUNT_PREFIXES[i % 4], seed * 1000 + i) for i in range(n_accounts)]
    return case_create(
        actor=officer, reporting_agency=officer.agency, region=officer.agency.region, typology=typology,
        occurred_at=occurred, reported_at=occurred + timedelta(hours=1), loss_amount=None,
        payment_channel="bank_transfer", victims=[{"name": "压测受害人%d" % seed}], indicators=[],
        transactions=[{"occurred_at": occurred + timedelta(minutes=i), "amount": Decimal(rnd.randint(100, 50000)),
                       "payee_account": accounts[i % n_accounts], "reference": "B%d-%d" % (seed, i)}
                      for i in range(n_txn)],
    )


def bench_stop_all(runs: int, n_txn: int, n_accounts: int) -> None:
    from django.test import Client

    from agencies.models import User
    from alerts.models import Request

    client = Client()
    client.force_login(User.objects.get(username="analyst"))
    cases = [make_case(n_txn, n_accounts, seed) for seed in range(1, runs + 3)]
    to_last, posts, per_request = [], [], []
    for i, case in enumerate(cases):
        t0 = time.perf_counter()
        response = client.post("/requests/case/%d/stop-all/" % case.pk, {"account": [
            t.payee_account for t in case.transactions.all()]})
        t_post = time.perf_counter()
        assert response.status_code == 302, response.status_code
        pending = Request.objects.filter(case=case, delivered_at__isnull=True)
        deadline = t0 + 30
        while pending.exists() and time.perf_counter() < deadline:
            time.sleep(0.005)
        t_last = time.perf_counter()
        if i < 2:
            continue  # warm-up: each worker process's first task opens its connections
        rows = list(Request.objects.filter(case=case).values_list("created_at", "delivered_at"))
        assert len(rows) == n_accounts and all(d for _c, d in rows), "not all delivered"
        first_created = min(c for c, _d in rows)
        per_request.extend((d - first_created).total_seconds() for _c, d in rows)
        to_last.append(t_last - t0)
        posts.append(t_post - t0)
    ms = lambda xs, p: pct(xs, p) * 1000  # noqa: E731
    print("stop all: %d runs, %d transactions -> %d accounts at 4 banks each" % (len(to_last), n_txn, n_accounts))
    print("  POST -> last bank inbox:  p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms  (target p99 <= 2000 ms: %s)"
          % (ms(to_last, 50), ms(to_last, 95), ms(to_last, 99), max(to_last) * 1000,
             "OK" if pct(to_last, 99) <= 2 else "MISSED"))
    print("  of which the POST (25 requests written): p50 %.0f ms  p99 %.0f ms" % (ms(posts, 50), ms(posts, 99)))
    print("  each request, first written -> delivered (row timestamps): p50 %.0f ms  p99 %.0f ms  max %.0f ms"
          % (ms(per_request, 50), ms(per_request, 99), max(per_request) * 1000), flush=True)


def build_tree(layers: int = 5, accounts: int = 200):
    """One case whose money went through ``layers`` layers of ``accounts`` accounts in all
    (8, 16, 32, 64, 80), every node answered with what it held and its onward transfers; the
    rows are written directly (bulk), as the services would have left them."""
    from django.utils import timezone

    from agencies.models import Agency, User
    from alerts.models import OnwardTransfer, Request

    case = make_case(8, 8, 9999)
    analyst = User.objects.get(username="analyst")
    banks = {a.code: a for a in Agency.objects.filter(code__in=["bank-icbc", "bank-abc", "bank-ccb", "bank-cmb"])}
    bank_of = dict(zip(ACCOUNT_PREFIXES, ["bank-icbc", "bank-abc", "bank-ccb", "bank-cmb"]))
    sizes = [8, 16, 32, 64, accounts - 120]
    now = timezone.now()
    previous, n = [], 0
    for layer, size in enumerate(sizes[:layers], start=1):
        rows = []
        for i in range(size):
            n += 1
            acct = account(ACCOUNT_PREFIXES[n % 4], 500000 + n)
            parent = previous[i % len(previous)] if previous else None
            done = layer < layers or i % 3
            rows.append(Request(
                number="RQBENCHT%06d" % n, kind="stop_payment", target_kind="account", target_value=acct, case=case,
                parent=parent, layer=layer, issuing_agency=analyst.agency, issued_by=analyst,
                target_agency=banks[bank_of[acct[:6]]], amount=Decimal(40000 // layer), status="completed" if done else "delivered",
                amount_secured=Decimal(10000 // layer) if done else None, balance=Decimal(10000 // layer) if done else None,
                disposition="partly_held" if done else "", delivered_at=now, complete_due_at=now + timedelta(minutes=30),
                effective_until=now + timedelta(hours=48) if done else None,
            ))
        previous = Request.objects.bulk_create(rows)
        if layer > 1:
            OnwardTransfer.objects.bulk_create([
                OnwardTransfer(request=r.parent, amount=r.amount, transferred_at=now, destination_account=r.target_value,
                               destination_bank=r.target_agency.name, follow_on=r) for r in previous])
    return case


def bench_tree(runs: int) -> None:
    from django.test import Client

    from agencies.models import User

    case = build_tree()
    for username, label in (("analyst", "whole tree"), ("bank_a", "bank_a's own nodes")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path, what in (("/requests/case/%d/money/" % case.pk, "page"), ("/api/v1/money-trees/%d/" % case.pk, "API")):
            client.get(path)  # warm
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t)
                assert response.status_code == 200
            print("tree 5 layers / 200 accounts, %-5s %-20s p50 %6.1f ms  p95 %6.1f ms  (target p95 <= 300 ms: %s)"
                  % (what, label, pct(times, 50) * 1000, pct(times, 95) * 1000,
                     "OK" if pct(times, 95) <= 0.3 else "MISSED"), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="stop-all runs (after 2 warm-up runs)")
    parser.add_argument("--transactions", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=25)
    parser.add_argument("--tree-runs", type=int, default=100)
    args = parser.parse_args()

    env = bench_env(BENCH_DB, "redis://127.0.0.1:6379/3")
    print("preparing bench database %s ..." % BENCH_DB, flush=True)
    recreate_database(env)
    setup_django(env)
    from agencies.demo import seed_agencies
    from cases.demo import seed_typologies_and_benign

    seed_agencies()
    seed_typologies_and_benign()
    # Only the worker: the views run in this process (as stack.start starts it).
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fraudgov", "worker", "--concurrency=2", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", "benchmoney@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(env), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # the worker connects to the broker
        bench_stop_all(args.runs, args.transactions, args.accounts)
        bench_tree(args.tree_runs)
    finally:
        stop(worker)


if __name__ == "__main__":
    main()
