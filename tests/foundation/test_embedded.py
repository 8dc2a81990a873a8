"""The embedded default (no servers configured: SQLite, tasks in-process) that ``./run`` gives a
newcomer: every migration applies, the demo loads, and a request is routed and delivered.

The rest of the suite runs on PostgreSQL, so a migration with PostgreSQL-only SQL would pass it
and still break ``./run`` on a laptop."""

import os
import subprocess
import sys

from tests.conftest import ROOT

ISSUE_ONE = """
from agencies.models import User
from alerts.models import Request
from alerts.services import request_create
req = request_create(issuer=User.objects.get(username="analyst"), kind="stop_payment", target_kind="account",
                     target_value="6222020000000000001", amount=5)
req = Request.objects.get(pk=req.pk)
print("RESULT", req.status, req.target_agency.code, req.delivery_pending)
"""


def test_embedded_default_migrates_seeds_and_delivers(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL="sqlite:///%s" % (tmp_path / "embedded.sqlite3"), MEDIA_ROOT=str(tmp_path / "media"),
               DJANGO_ENV="development")

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, "manage.py %s failed:\n%s" % (" ".join(args), done.stderr[-2000:])
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("seed_demo")
    result = [line for line in manage("shell", "-c", ISSUE_ONE).splitlines() if line.startswith("RESULT")]
    assert result == ["RESULT delivered bank-icbc False"]
