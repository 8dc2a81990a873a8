"""Benchmark of the cases app on a big data set (not a test).

    .venv/bin/python bench/bench_cases.py --cases 1000000

Uses its own database (default fraudgov_bench, created if missing), fills it with the bulk
generator (COPY + in-memory union-find), builds one 500-case ring through the real intake,
then prints p50/p95 of: intake with linking (cases.services.case_create), indicator lookup
(cases.selectors.indicator_lookup), the first page of the triage queue (the real page view for
the city centre's analyst), a 500-case ring page (the real page view and the API); merging
a duplicate into its case (cases.merging.case_merge: a second report of the same victim, made
through the real intake with a trace shared with the data set, so each pair sits in a ring of
the data set's sizes); and editing a random case of the data set (cases.services_edit: its
fields with the version check and the field-by-field history, through the service and through
the edit page's POST; adding and removing an indicator, which relinks its ring).
``--only merge`` and ``--only edit`` run those figures alone.
"""

import argparse
import os
import random
import time
from datetime import timedelta
from decimal import Decimal

from dataset import ensure_cases, report, setup_django, timed


def _typable(phone: str) -> bool:
    from django.core.exceptions import ValidationError

    from cases.normalize import normalize_phone

    try:
        normalize_phone(phone)
    except ValidationError:
        return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="fraudgov_bench")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=["all", "merge", "edit"], default="all")
    args = parser.parse_args()

    setup_django(args.server, args.db)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from agencies.models import User
    from cases.merging import case_merge
    from cases.models import Case, CaseIndicator, Indicator, Ring
    from cases.selectors import indicator_lookup
    from cases.services import case_create

    ensure_cases(args.cases, seed=args.seed)
    print(f"data set: {Case.objects.count()} cases, {CaseIndicator.objects.count()} links, "
          f"{Indicator.objects.count()} indicators, {Ring.objects.count()} rings; "
          f"largest ring {Ring.objects.order_by('-case_count').values_list('case_count', flat=True).first()}", flush=True)

    users = {u.username: u for u in User.objects.select_related("agency", "agency__region")}
    analyst, officer = users["analyst"], users["officer"]
    from agencies.models import Region
    from cases.models import Typology

    region = Region.objects.get(code="340402001")
    typology = Typology.objects.get(code="brushing")
    rng = random.Random(args.seed)

    if args.only == "edit":
        bench_edit(args, analyst)
        return

    # A 500-case ring, built through the real intake (a chain of shared cards).
    big = Ring.objects.filter(case_count__gte=500, case_count__lte=520).first()
    if big is None and args.only != "merge":
        t = time.perf_counter()
        tag = rng.randint(10**5, 10**6 - 1)
        for k in range(500):
            case = case_create(
                actor=officer, reporting_agency=officer.agency, region=region, typology=typology,
                occurred_at=timezone.now() - timedelta(hours=k), loss_amount=Decimal(1000 + k), payment_channel="bank_transfer",
                victims=[{"name": "链%s" % k, "age": 40}],
                indicators=[{"kind": "account", "value": "9%06d%08d" % (tag, k), "role": "receiving_account_l1"},
                            {"kind": "account", "value": "9%06d%08d" % (tag, k + 1), "role": "receiving_account_l2"}],
            )
        big = case.ring
        print(f"built a {big.case_count}-case ring through case_create in {time.perf_counter() - t:.1f}s", flush=True)

    max_ind = Indicator.objects.order_by("-id").values_list("id", flat=True).first()
    phones = list(Indicator.objects.filter(kind="phone", is_linkable=True, id__gte=max(0, max_ind - 200_000))
                  .values_list("value", flat=True)[:2000])
    # The bulk generator writes numbers the intake's check refuses (+86 179..., no such range):
    # the intake shares only numbers an officer could type.
    phones = [p for p in phones if _typable(p[3:6] + " " + p[6:])]

    def intake():
        shared = rng.choice(phones)
        case_create(
            actor=officer, reporting_agency=officer.agency, region=region, typology=typology,
            occurred_at=timezone.now() - timedelta(minutes=30), loss_amount=Decimal(rng.randint(100, 90000)),
            payment_channel="alipay", victims=[{"name": "测试", "age": 30}],
            indicators=[
                {"kind": "phone", "value": shared[3:6] + " " + shared[6:], "role": "calling_number"},
                {"kind": "account", "value": "6217%015d" % rng.randint(0, 10**15), "role": "receiving_account_l1"},
                {"kind": "url", "value": "https://www.b%s.top/x" % rng.randint(0, 10**9), "role": "phishing_url"},
            ],
        )

    def lookup():
        value = rng.choice(phones)
        indicator_lookup(user=analyst, raw=value[3:6] + "-" + value[6:10] + "-" + value[10:])

    client = Client()
    client.force_login(analyst)

    def queue():
        r = client.get("/cases/")
        assert r.status_code == 200, r.status_code

    def queue_api():
        r = client.get("/api/v1/cases/")
        assert r.status_code == 200, r.status_code

    def ring_page():
        r = client.get(f"/cases/rings/{big.pk}/")
        assert r.status_code == 200, r.status_code

    def ring_api():
        r = client.get(f"/api/v1/rings/{big.pk}/")
        assert r.status_code == 200, r.status_code

    def duplicate_pairs(n):
        """``n`` (duplicate, survivor) pairs: the same victim reported twice, the second report
        with one more card; both carry a phone of the data set (so they sit in its rings)."""
        pairs = []
        for k in range(n):
            shared = rng.choice(phones)
            victim = {"name": "重复%d" % k, "phone": "139%08d" % rng.randint(0, 10**8), "age": 52}
            made = []
            for extra in range(2):
                made.append(case_create(
                    actor=officer, reporting_agency=officer.agency, region=region, typology=typology,
                    occurred_at=timezone.now() - timedelta(hours=2), loss_amount=Decimal(5000), payment_channel="bank_transfer",
                    victims=[victim],
                    indicators=[{"kind": "phone", "value": shared, "role": "calling_number"},
                                {"kind": "account", "value": "6214%015d" % rng.randint(0, 10**15),
                                 "role": "receiving_account_l1"}][: 1 + extra],
                ))
            pairs.append((made[1], made[0]))
        return pairs

    def merge_all(pairs):
        out = []
        for duplicate, survivor in pairs:
            t = time.perf_counter()
            case_merge(duplicate=duplicate, survivor=survivor, actor=analyst)
            out.append(time.perf_counter() - t)
        return out

    if args.only == "merge":
        merge_all(duplicate_pairs(3))  # warm
        pairs = duplicate_pairs(args.runs)
        sizes = sorted(Ring.objects.filter(pk__in=[s.ring_id for _d, s in pairs]).values_list("case_count", flat=True))
        print(f"--- {Case.objects.count()} cases, PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs; "
              f"rings of the merged pairs: median {sizes[len(sizes) // 2]} cases, largest {sizes[-1]} ---")
        report("merge (case_merge, duplicate pair)", merge_all(pairs), 50)
        return

    for fn in (intake, lookup, queue, ring_page):  # warm caches and connections
        for _ in range(3):
            fn()
    print(f"--- {Case.objects.count()} cases, PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs ---")
    report("intake (case_create, 3 indicators)", timed(intake, args.runs), 30)
    report("indicator lookup (selector)", timed(lookup, args.runs * 2), 5)
    report("triage queue page 1 (GET /cases/)", timed(queue, args.runs // 2), 150)
    report("triage queue API (GET /api/v1/cases/)", timed(queue_api, args.runs // 2), 150)
    report(f"ring page, {big.case_count} cases (HTML)", timed(ring_page, args.runs // 4), 150)
    report(f"ring API, {big.case_count} cases", timed(ring_api, args.runs // 4), 150)
    report("merge (case_merge, duplicate pair)", merge_all(duplicate_pairs(args.runs // 2)), 50)
    bench_edit(args, analyst)


def bench_edit(args, analyst):
    """Edits of random cases among the whole data set, by the city centre's analyst."""
    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client

    from cases.models import Case, CaseIndicator
    from cases.services_edit import case_edit, case_indicator_add, case_indicator_remove

    rng = random.Random(args.seed + 1)
    bounds = Case.objects.aggregate(lo=Min("id"), hi=Max("id"))

    def some_case() -> Case:
        while True:
            case = Case.objects.filter(pk__gte=rng.randint(bounds["lo"], bounds["hi"])).order_by("pk").first()
            if case is not None:
                return case

    def edit():
        case = some_case()
        case_edit(case=case, actor=analyst, version=case.version,
                  data={"loss_amount": case.loss_amount + Decimal("1.00"), "narrative": "补充 %s" % rng.randint(0, 10**9)})

    client = Client()
    client.force_login(analyst)

    def edit_page():
        case = some_case()
        r = client.post(f"/cases/{case.pk}/edit/", {
            "version": case.version, "occurred_at": timezone_local(case.occurred_at), "region": case.region_id,
            "typology": case.typology_id, "loss_amount": str(case.loss_amount + 1), "payment_channel": case.payment_channel,
            "narrative": "页面补充 %s" % rng.randint(0, 10**9)})
        assert r.status_code == 302, r.status_code

    def indicator_add_remove():
        case = some_case()
        link = case_indicator_add(case=case, actor=analyst, kind="phone", value="139%08d" % rng.randint(0, 10**8),
                                  role="contact_number")
        case_indicator_remove(link=CaseIndicator.objects.get(pk=link.pk), actor=analyst)

    for fn in (edit, edit_page, indicator_add_remove):
        for _ in range(3):
            fn()
    print(f"--- edits: {Case.objects.count()} cases, PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs ---")
    report("edit fields (services_edit.case_edit)", timed(edit, args.runs), 50)
    report("edit fields (POST /cases/<id>/edit/)", timed(edit_page, args.runs // 2), 50)
    report("add + remove an indicator (relink)", timed(indicator_add_remove, args.runs // 2), 100)


def timezone_local(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


if __name__ == "__main__":
    main()
