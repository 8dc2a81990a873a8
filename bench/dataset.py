"""The big data set the in-process benchmarks share (bench_cases, bench_dashboards,
bench_publicity): a PostgreSQL database of their own, Django set up against it, W city's
agencies and N generated cases; plus the timing and reporting they print with."""

import os
import sys
import time
from pathlib import Path

from stack import pct

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(url: str, name: str) -> None:
    import psycopg2

    base = url.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django(server: str, db: str) -> None:
    """Django on the bench database (created and migrated if needed), measuring the DB path."""
    url = f"{server}/{db}"
    ensure_database(url, db)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # Celery eager, in-memory channel layer: measure the DB path
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudgov.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    # Without REDIS_URL the dashboards app refreshes its daily rollups right after every commit
    # (embedded mode has no beat). In production (REDIS_URL set) beat does that outside the
    # request, so what is measured here is the production request path.
    settings.DASHBOARDS_REFRESH_ON_COMMIT = False
    call_command("migrate", verbosity=0)


def ensure_cases(count: int, *, seed: int) -> bool:
    """W city's agencies and at least ``count`` cases from the bulk generator; True if it wrote any."""
    from agencies.demo import seed_agencies
    from agencies.models import User
    from cases.demo import seed_typologies_and_benign
    from cases.generator_bulk import write_bulk
    from cases.models import Case

    if not User.objects.filter(username="analyst").exists():
        seed_agencies()
    seed_typologies_and_benign()
    existing = Case.objects.count()
    if existing >= count:
        return False
    print(f"generating {count - existing} cases (have {existing}) ...", flush=True)
    t = time.perf_counter()
    result = write_bulk(count - existing, seed=seed + existing)
    print(f"generation: {result} ({time.perf_counter() - t:.1f}s)", flush=True)
    return True


def report(label, values, target=None):
    ms = [v * 1000 for v in values]
    line = f"{label:<34} n={len(ms):<5} p50={pct(ms, 50):8.2f} ms  p95={pct(ms, 95):8.2f} ms"
    if target:
        line += f"  (target p95 <= {target} ms: {'OK' if pct(ms, 95) <= target else 'MISSED'})"
    print(line, flush=True)


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out
