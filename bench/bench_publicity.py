"""Benchmark of the publicity reads on a big case set (not a test).

    .venv/bin/python bench/bench_publicity.py --cases 1000000

Uses its own database (default fraudgov_bench_publicity), fills it with the bulk case generator
and a year of outreach, then prints p50/p95 of: the weekly bulletin draft for the city
(propaganda.bulletins.build_draft), the targeting ranking and the typology x group table over
90 days, every community's fraud-free status, a campaign's difference-in-differences, and the
outreach list API for the publicity department.
"""

import argparse
import os
import random
import time
from datetime import timedelta

from dataset import ensure_cases, report, setup_django, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="fraudgov_bench_publicity")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    setup_django(args.server, args.db)
    from django.utils import timezone

    from rest_framework.test import APIClient

    from agencies.choices import RegionLevel
    from agencies.models import Region, User
    from cases.models import Case
    from propaganda import selectors, services
    from propaganda.bulletins import build_draft
    from propaganda.models import Campaign, Outreach

    ensure_cases(args.cases, seed=args.seed)
    users = {u.username: u for u in User.objects.select_related("agency", "agency__region")}
    today = timezone.localdate()
    rng = random.Random(args.seed)
    if not Outreach.objects.exists():
        t = time.perf_counter()
        for grid in ("grid_a", "grid_b"):
            for day in range(365):
                services.outreach_bulk_create(actor=users[grid], rows=[
                    {"date": today - timedelta(days=day), "place": "%d栋" % n, "channel": "door_to_door",
                     "target_group": "elderly", "people_reached": rng.randint(1, 12)} for n in range(5)])
        print(f"outreach: {Outreach.objects.count()} entries in {time.perf_counter() - t:.1f}s", flush=True)
    campaign = Campaign.objects.first() or services.campaign_create(actor=users["publicity"], data={
        "title": "bench", "message": "bench", "target_groups": ["elderly"], "starts_on": today - timedelta(days=60),
        "ends_on": today - timedelta(days=31), "target_regions": [Region.objects.get(code="340402001001")]})
    span = Case.objects.order_by("reported_at").values_list("reported_at", flat=True)
    print(f"data set: {Case.objects.count()} cases from {span.first():%Y-%m-%d} to {span.last():%Y-%m-%d}; "
          f"{Outreach.objects.count()} outreach entries", flush=True)

    city = Region.objects.get(code="340400")
    last_week = today - timedelta(days=7)
    since = today - timedelta(days=90)
    client = APIClient()
    client.force_authenticate(users["publicity"])
    runs = args.runs
    report("bulletin draft (city, last week)", timed(lambda: build_draft(region=city, week_start=last_week), runs))
    report("targeting ranking (towns, 90 d)", timed(lambda: selectors.region_ranking(since=since, until=today), runs))
    report("typology x group table (90 d)", timed(lambda: selectors.typology_group_table(since=since, until=today),
                                                   runs))
    report("ranking (communities, 90 d)", timed(lambda: selectors.region_ranking(
        since=since, until=today, level=RegionLevel.COMMUNITY), runs))
    report("fraud-free statuses (all)", timed(lambda: selectors.community_statuses(), runs))
    report("campaign DiD", timed(lambda: selectors.campaign_effect(campaign=campaign), runs))
    report("GET /api/v1/outreach/ (publicity)", timed(lambda: client.get("/api/v1/outreach/"), runs))


if __name__ == "__main__":
    main()
