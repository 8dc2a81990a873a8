import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """W city's agencies and demo users (the agencies part of seed_demo only: fast)."""
    from agencies.demo import seed_agencies
    from agencies.models import User

    seed_agencies()
    return {u.username: u for u in User.objects.select_related("agency")}


@pytest.fixture
def full_demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    # The demo seed sets ~20 passwords per test; PBKDF2 would make this module take minutes.
    # Not for tests with a real server: its process keeps the default hashers.
    if "asgi_server" in request.fixturenames:
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Fallback browser fixtures, used only while the shared tests/conftest.py (which provides
# asgi_server, page and login for every app) is absent.
from pathlib import Path as _Path  # noqa: E402

if not (_Path(__file__).resolve().parents[1] / "conftest.py").exists():
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    @pytest.fixture
    def asgi_server(transactional_db):
        from django.db import connection

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        db = connection.settings_dict
        env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--port", str(port)],
            cwd=_Path(__file__).resolve().parents[2], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        yield base
        proc.terminate()
        proc.wait(10)

    @pytest.fixture
    def page():
        from playwright.sync_api import sync_playwright

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            pg = browser.new_page()
            yield pg
            browser.close()

    @pytest.fixture
    def login(settings):
        def _login(page, base_url, username):
            page.goto(base_url + "/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", settings.DEMO_PASSWORD)
            page.click("form:has(#id_username) button[type=submit]")
            try:
                page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=10000)
            except Exception:
                print("LOGIN PAGE:", page.url, page.content()[:3000])
                raise

        return _login
