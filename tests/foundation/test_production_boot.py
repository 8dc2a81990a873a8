"""The production shape boots and serves: the build (collectstatic), ``check --deploy``, and the
processes docker-compose.yml runs (gunicorn, the socket server, a Celery worker and beat, behind
nginx with a self-signed certificate made by deploy/nginx-entrypoint.sh), with the production
settings, against the test database. Without nginx installed, the clients talk to gunicorn and
the socket server directly and say themselves that they came over HTTPS.
"""

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from websockets.sync.client import connect as ws_connect

from tests.conftest import _free_port, stop_process, stop_processes, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "boot-test-pass-2024"
# check --deploy refuses a short or obviously non-random key (security.W009).
SECRET_KEY = "boot-test-5f0c9a1e7d3b4c2a8e6f9d0b1c3a5e7f9b2d4c6a8e0f1a3c5e7"
HAS_NGINX = shutil.which("nginx") is not None


def production_env(static_root: Path, **extra) -> dict:
    env = {**subprocess_env(), "DJANGO_ENV": "production", "SECRET_KEY": SECRET_KEY, "DEBUG": "false",
           "STATIC_ROOT": str(static_root), "ALLOWED_HOSTS": "127.0.0.1,localhost", "CSRF_TRUSTED_ORIGINS": "",
           "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING", **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def built():
    """A production ``collectstatic`` into a temporary STATIC_ROOT (the Dockerfile's build step)."""
    workdir = Path(tempfile.mkdtemp(prefix="fraudgov-boot-"))
    workdir.chmod(0o755)  # nginx's workers (www-data) read the static files under it
    static_root = workdir / "static"
    done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                          env={**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": SECRET_KEY,
                               "STATIC_ROOT": str(static_root)},
                          capture_output=True, text=True, timeout=300)
    yield workdir, static_root, done
    shutil.rmtree(workdir, ignore_errors=True)


def test_production_collectstatic_builds_the_manifest(built):
    _workdir, static_root, done = built
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    css = manifest["vendor/bootstrap/css/bootstrap.min.css"]
    assert css != "vendor/bootstrap/css/bootstrap.min.css" and (static_root / (css + ".gz")).exists()


def test_check_deploy_reports_nothing(built, db):
    _workdir, static_root, _done = built
    done = manage(production_env(static_root), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


class Stack:
    """The production processes, each in its own process group, with their output in files."""

    def __init__(self, workdir: Path, env: dict):
        self.workdir, self.env, self.procs = workdir, env, {}

    def start(self, name: str, argv: list[str], **extra_env) -> None:
        log = open(self.workdir / (name + ".log"), "w")
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **extra_env}, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> dict:
        return {name: proc.poll() is None for name, proc in self.procs.items()}

    def logs(self) -> str:
        return "\n".join("--- %s ---\n%s" % (name, (self.workdir / (name + ".log")).read_text()[-2000:])
                         for name in self.procs)

    def stop(self) -> None:
        stop_processes(list(self.procs.values()), signal.SIGTERM)


def wait_for(check, what: str, stack: Stack, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except (requests.RequestException, OSError):
            pass
        if time.monotonic() > deadline or not all(stack.alive().values()):
            raise AssertionError("%s: not within %ss (alive: %s)\n%s" % (what, seconds, stack.alive(), stack.logs()))
        time.sleep(0.2)


@pytest.fixture
def production(built, transactional_db):
    """The demo agencies and users, then the production processes on free ports."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from rest_framework.authtoken.models import Token

    from agencies.demo import seed_agencies
    from agencies.models import User

    workdir, static_root, done = built
    assert done.returncode == 0, done.stderr[-3000:]
    seed_agencies()
    # The server checks passwords with the production hashers (this run's are fast test ones).
    User.objects.filter(username__in=["analyst", "bank_a"]).update(
        password=PBKDF2PasswordHasher().encode(PASSWORD, "bootsalt0123"))
    tokens = {name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
              for name in ("analyst", "bank_a")}

    web_port, socket_port, http_port, https_port = (_free_port() for _ in range(4))
    stack = Stack(workdir, production_env(static_root))
    stack.start("web", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                WEB_BIND="127.0.0.1:%d" % web_port, WEB_WORKERS="1", WEB_THREADS="4")
    stack.start("socket", [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--host", "127.0.0.1",
                           "--port", str(socket_port), "--no-proxy-headers", "--log-level", "warning"],
                CONN_MAX_AGE="0")
    stack.start("worker", [sys.executable, "-m", "celery", "-A", "fraudgov", "worker", "--concurrency=1",
                           "--without-gossip", "--without-mingle", "-n", "boot@%h", "--loglevel=WARNING"])
    stack.start("beat", [sys.executable, "-m", "celery", "-A", "fraudgov", "beat", "--loglevel=WARNING"])
    cert = workdir / "tls" / "cert.pem"
    if HAS_NGINX:
        stack.start("nginx", ["deploy/nginx-entrypoint.sh"],
                    NGINX_RUN_DIR=str(workdir / "nginx"), NGINX_ACCESS_LOG=str(workdir / "nginx-access.log"),
                    NGINX_WORKERS="1", HTTP_PORT="127.0.0.1:%d" % http_port, HTTPS_PORT="127.0.0.1:%d" % https_port,
                    WEB_UPSTREAM="127.0.0.1:%d" % web_port, SOCKET_UPSTREAM="127.0.0.1:%d" % socket_port,
                    STATIC_ROOT=str(static_root), TLS_CERT=str(cert), TLS_KEY=str(workdir / "tls" / "key.pem"),
                    TLS_CN="127.0.0.1")
        base, ws_base, extra_headers = "https://127.0.0.1:%d" % https_port, "wss://127.0.0.1:%d" % https_port, {}
    else:
        base, ws_base = "http://127.0.0.1:%d" % web_port, "ws://127.0.0.1:%d" % socket_port
        extra_headers = {"X-Forwarded-Proto": "https"}  # what nginx would say
    try:
        direct = "http://127.0.0.1:%d/healthz" % web_port
        wait_for(lambda: requests.get(direct, timeout=2).status_code == 200, "gunicorn's /healthz", stack)
        wait_for(lambda: requests.get("http://127.0.0.1:%d/healthz" % socket_port, timeout=2).status_code == 200,
                 "the socket server's /healthz", stack)
        verify = str(cert) if HAS_NGINX else True
        if HAS_NGINX:
            wait_for(lambda: requests.get(base + "/healthz", timeout=2, verify=verify).status_code == 200,
                     "/healthz through nginx", stack)
        yield {"stack": stack, "base": base, "ws_base": ws_base, "headers": extra_headers, "verify": verify,
               "web": "http://127.0.0.1:%d" % web_port, "http": "http://127.0.0.1:%d" % http_port,
               "tokens": tokens, "static_root": static_root, "access_log": workdir / "nginx-access.log"}
    finally:
        stack.stop()


def test_production_processes_serve_health_pages_api_static_and_sockets(production):
    p = production
    base, verify = p["base"], p["verify"]

    # /healthz answers on plain HTTP inside the network (compose's health checks): no redirect.
    health = requests.get(p["web"] + "/healthz", timeout=5, allow_redirects=False)
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    # Any other page on plain HTTP is sent to HTTPS (Django's redirect at the app, nginx's in front).
    assert requests.get(p["web"] + "/accounts/login/", timeout=5, allow_redirects=False).status_code == 301
    if HAS_NGINX:
        plain = requests.get(p["http"] + "/accounts/login/", timeout=5, allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    # Static files: from the collected files, by nginx (its 30-day cache header, not whitenoise's).
    manifest = json.loads((p["static_root"] / "staticfiles.json").read_text())["paths"]
    css = requests.get(base + "/static/" + manifest["vendor/bootstrap/css/bootstrap.min.css"], timeout=5,
                       verify=verify, headers=p["headers"])
    assert css.status_code == 200 and "Bootstrap" in css.text
    if HAS_NGINX:
        assert css.headers.get("Content-Encoding") == "gzip" and "max-age=2592000" in css.headers["Cache-Control"]

    # A logged-in page: the login form over HTTPS, with its CSRF token and the secure cookies.
    browser = requests.Session()
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would replace the session's certificate
    browser.verify = verify
    browser.headers.update(p["headers"])
    login_url = base + "/accounts/login/"
    form = browser.get(login_url, timeout=10)
    assert form.status_code == 200 and "csrftoken" in browser.cookies
    assert all(cookie.secure for cookie in browser.cookies)
    done = browser.post(login_url, timeout=20, headers={"Referer": login_url},
                        data={"username": "analyst", "password": PASSWORD,
                              "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
    assert done.status_code == 200 and "/accounts/login/" not in done.url, done.text[:2000]
    assert "sessionid" in browser.cookies
    assert browser.get(base + "/", timeout=10).status_code == 200

    # An API call with a token: a stop-payment to bank A, delivered by the Celery worker.
    api = requests.Session()
    api.trust_env = False
    api.verify = verify
    api.headers.update({**p["headers"], "Authorization": "Token " + p["tokens"]["analyst"]})
    created = api.post(base + "/api/v1/requests/", timeout=20, headers={"Idempotency-Key": "boot-1"},
                       json={"kind": "stop_payment", "target_kind": "account",
                             "target_value": "6222020200112233445", "amount": "5000.00"})
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    wait_for(lambda: api.get(base + "/api/v1/requests/%d/" % request_id, timeout=5).json()["status"] == "delivered",
             "the worker's delivery", p["stack"], seconds=30)
    assert all(p["stack"].alive().values()), p["stack"].logs()  # beat included

    # A token-authenticated socket without Origin (an agency system): catch-up from event 0
    # replays the delivery to bank A, then "ready".
    context = ssl.create_default_context(cafile=verify) if HAS_NGINX else None
    with ws_connect(p["ws_base"] + "/ws/events/", ssl=context, open_timeout=10,
                    additional_headers={"Authorization": "Token " + p["tokens"]["bank_a"]}) as socket:
        socket.send(json.dumps({"type": "hello", "last_id": 0}))
        kinds = []
        while True:
            message = json.loads(socket.recv(timeout=10))
            if message.get("type") == "ready":
                break
            kinds.append((message.get("kind"), (message.get("payload") or {}).get("id")))
    assert ("request.delivered", request_id) in kinds, kinds

    if HAS_NGINX:
        # A system that can only put its token in the address (?token=...): nginx's log keeps
        # the path, never the query string with the credential in it.
        with ws_connect(p["ws_base"] + "/ws/events/?token=" + p["tokens"]["analyst"], ssl=context,
                        open_timeout=10) as socket:
            socket.send(json.dumps({"type": "hello", "last_id": 0}))
            while json.loads(socket.recv(timeout=10)).get("type") != "ready":
                pass
        wait_for(lambda: p["access_log"].read_text().count("/ws/events/") >= 2, "both sockets in nginx's access log",
                 p["stack"])
        log = p["access_log"].read_text()
        assert p["tokens"]["analyst"] not in log and p["tokens"]["bank_a"] not in log


def test_healthz_answers_503_when_the_database_is_down(built, db):
    _workdir, static_root, _done = built
    dead_port = _free_port()  # nothing listens there
    port = _free_port()
    env = production_env(static_root, DATABASE_URL="postgres://postgres@127.0.0.1:%d/fraudgov" % dead_port,
                         WEB_BIND="127.0.0.1:%d" % port, WEB_WORKERS="1", WEB_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get("http://127.0.0.1:%d/healthz" % port, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        assert health.status_code == 503
        assert health.json()["status"] == "error" and health.json()["database"].startswith("error: ")
        assert health.json()["redis"] == "ok"
    finally:
        stop_process(proc)
