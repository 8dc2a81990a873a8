"""The platform through its faults: a Redis restart in a burst, a PostgreSQL backend killed.

The server, a Celery worker and beat run as the product runs them, against a Redis of this test's
own (``redis-server`` on a free port, no persistence: a restart loses every queued task and the
delivery marker, as a crashed Redis would), so stopping it touches nobody else's Redis.
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.conftest import ROOT, _free_port, stop_process, stop_processes, subprocess_env

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL"),
]


def wait_for(predicate, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


class OwnRedis:
    """A redis-server of the test's own, stopped and started again on the same port."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self) -> str:
        return "redis://127.0.0.1:%d/0" % self.port

    def ping(self) -> bool:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        try:  # one attempt: redis-py's default retries (with backoff) made a ping of a stopped server last about 4 s
            return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5,
                               retry=Retry(NoBackoff(), 0)).ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        assert wait_for(self.ping, 10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None
        assert wait_for(lambda: not self.ping(), 5)


@pytest.fixture
def own_redis(tmp_path):
    r = OwnRedis(tmp_path)
    r.start()
    yield r
    r.stop()


@pytest.fixture
def stack(transactional_db, own_redis, tmp_path):
    """Server, worker and beat on this test's database and Redis, with persistent
    database connections as in production."""
    from agencies.demo import seed_agencies

    seed_agencies()
    env = {**subprocess_env(), "REDIS_URL": own_redis.url, "CONN_MAX_AGE": "60"}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    # As ./run starts them: under bin/supervise, which restarts a worker that exits.
    worker = subprocess.Popen(
        ["bash", str(ROOT / "bin" / "supervise"), "worker", sys.executable, "-m", "celery", "-A", "fraudgov", "worker",
         "--concurrency=2", "--pool=prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", "faults@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=None,
    )
    beat = subprocess.Popen(
        ["bash", str(ROOT / "bin" / "supervise"), "beat", sys.executable, "-m", "celery", "-A", "fraudgov", "beat",
         "--loglevel=WARNING", "--pidfile=%s" % (tmp_path / "beat.pid"), "--schedule=%s" % (tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=None,
    )
    url = "http://127.0.0.1:%d" % port

    def up():
        try:
            return urllib.request.urlopen(url + "/healthz", timeout=1).status == 200
        except Exception:
            return False

    try:
        assert wait_for(up, 60, 0.2), "the server did not start"
        yield {"url": url, "worker": worker, "beat": beat, "redis": own_redis}
    finally:
        stop_processes([server, worker, beat])


def call(url: str, token: str, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Token " + token
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:200].decode(errors="replace")}


def token_for(username: str) -> str:
    from rest_framework.authtoken.models import Token

    from agencies.models import User

    return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key


def a_case():
    from tests.factories import CaseRowFactory

    return CaseRowFactory()


def test_a_redis_restart_in_a_burst_loses_no_request_and_answers_no_committed_write_with_500(stack):
    from alerts.choices import RequestStatus
    from alerts.models import Request

    url, redis_server, worker = stack["url"], stack["redis"], stack["worker"]
    token = token_for("analyst")
    case = a_case()
    total, stop_at, start_at = 90, 30, 60
    answers: dict[str, int] = {}
    redis_back_at: list[float] = []
    outage_answers: dict[str, int] = {}
    leader = token_for("leader")

    def post(i: int) -> None:
        account = "62220202%011d" % i
        status, _body = call(url + "/api/v1/requests/", token, "POST", {
            "kind": "stop_payment", "target_kind": "account", "target_value": account, "case": case.pk,
            "amount": "1000.00"})
        answers[account] = status

    with ThreadPoolExecutor(4) as pool:
        for i in range(total):
            if i == stop_at:
                redis_server.stop()
                stopped_at = time.monotonic()
            if i == stop_at + 5:
                # What uses the cache (the login throttle, the dashboard figures) computes instead.
                outage_answers["token"] = call(url + "/api/v1/auth/token/", "", "POST",
                                               {"username": "analyst", "password": "wrong"})[0]
                outage_answers["timeseries"] = call(url + "/api/v1/stats/timeseries/", leader)[0]
            if i == start_at:
                time.sleep(max(0.0, 3.0 - (time.monotonic() - stopped_at)))  # an outage of 3 s at least
                redis_server.start()
                redis_back_at.append(time.monotonic())
            pool.submit(post, i)
            time.sleep(0.05)

    committed = set(Request.objects.filter(case=case).values_list("target_value", flat=True))
    assert outage_answers == {"token": 400, "timeseries": 200}
    server_errors = {a: s for a, s in answers.items() if s >= 500 and s != 503}
    assert not server_errors, "5xx answers: %s" % server_errors
    committed_not_created = {a: answers[a] for a in committed if answers.get(a) != 201}
    assert not committed_not_created, "committed rows answered: %s" % committed_not_created
    refused_but_committed = {a for a, s in answers.items() if s == 503 and a in committed}
    assert not refused_but_committed
    assert len(committed) == sum(1 for s in answers.values() if s == 201) >= total - 5

    def all_delivered():
        return not Request.objects.filter(case=case).exclude(status=RequestStatus.DELIVERED).exists()

    waited_from = redis_back_at[0]
    assert wait_for(all_delivered, timeout=15 - (time.monotonic() - waited_from), step=0.2), (
        "undelivered %d s after Redis came back: %d of %d" % (
            15, Request.objects.filter(case=case).exclude(status=RequestStatus.DELIVERED).count(), len(committed)))
    assert worker.poll() is None, "the worker's supervisor exited"
    # The whole outage cost no request twice.
    assert Request.objects.filter(case=case).count() == len(committed)


def test_the_next_call_succeeds_after_postgresql_backends_are_killed(stack):
    from django.db import connection

    url = stack["url"]
    token = token_for("analyst")
    for _ in range(6):  # fill the server's connection pool
        assert call(url + "/api/v1/me/", token)[0] == 200
    # Only the product's backends (server, worker, beat: they connect as the application's role,
    # tests/conftest.py subprocess_env): this test process may hold more connections than this
    # one (threads of earlier tests), and killing those would fail whichever test uses them next.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND usename <> current_user")
        killed = cursor.fetchone()[0]
    assert killed >= 1
    statuses = [call(url + "/api/v1/me/", token)[0] for _ in range(6)]
    assert statuses == [200] * 6

    status, body = call(url + "/api/v1/requests/", token, "POST", {
        "kind": "stop_payment", "target_kind": "account", "target_value": "6222020299990001", "case": a_case().pk,
        "amount": "10.00"})
    assert status == 201, body
    # The worker's connections were killed too: it checks them before use and delivers.
    from alerts.choices import RequestStatus
    from alerts.models import Request

    assert wait_for(lambda: Request.objects.filter(pk=body["id"], status=RequestStatus.DELIVERED).exists(), 20)
