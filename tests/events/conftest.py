"""Local subprocess fixtures: a real uvicorn and a real Celery worker against the test DB."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": "postgres://%s@%s:%s/%s" % (db["USER"], db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]),
        "PYTHONPATH": str(ROOT),
    }


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def live_server_url(transactional_db):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the server runs in another process")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=_env(), start_new_session=True,
    )
    url = "http://127.0.0.1:%d" % port
    end = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except Exception:
            if time.monotonic() > end or proc.poll() is not None:
                _stop(proc)
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.2)
    yield url
    _stop(proc)


@pytest.fixture
def worker(transactional_db):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real broker")
    from fraudgov.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fraudgov", "worker", "--concurrency=1", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "events-test@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=_env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield proc
    _stop(proc)


@pytest.fixture
def demo_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from agencies.demo import seed_agencies

    seed_agencies()


@pytest.fixture
def token_for(demo_world):
    from rest_framework.authtoken.models import Token

    from agencies.models import User

    def make(username: str) -> str:
        return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key

    return make
