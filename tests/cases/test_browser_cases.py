"""In a real browser against the ASGI server: an officer files a case through the form, an
analyst finds it at the top of the queue and opens its ring's graph."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from django.db import connection

from .pages_support import build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)


def _shared_or_local(request, name, local):
    """The shared fixture from tests/conftest.py when it exists, else this module's own."""
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return request.getfixturevalue(local)


@pytest.fixture
def _local_asgi_server(transactional_db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = connection.settings_dict
    env = dict(os.environ, DEBUG="1", DATABASE_URL="postgres://%s@%s:%s/%s" % (
        db["USER"], db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["NAME"]), CONN_MAX_AGE="0")
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fraudgov.asgi:application", "--port", str(port), "--log-level", "warning"],
        cwd=str(Path(dj_settings.BASE_DIR)), env=env,
    )
    base = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def _local_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()


@pytest.fixture
def _local_login():
    def login(page, base_url, username):
        page.goto(base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", dj_settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    return login


@pytest.fixture
def world(transactional_db):
    return build_world()  # real password hashes: the server process logs these users in


def test_officer_files_case_and_analyst_opens_its_ring_graph(world, request):
    w = world
    # Built before the browser starts: Playwright's loop makes this thread async.
    earlier = make_case(w, victim="先前受害人", indicators=[("phone", "13812345678", "calling_number")])
    asgi_server = _shared_or_local(request, "asgi_server", "_local_asgi_server")
    page = _shared_or_local(request, "page", "_local_page")
    login = _shared_or_local(request, "login", "_local_login")

    # The station officer files the report with two indicators.
    login(page, asgi_server, "officer")
    page.goto(asgi_server + "/cases/new/")
    page.fill("#id_occurred_at", "2024-05-01T14:30")
    page.select_option("#id_region", label="人民路街道")
    page.select_option("#id_typology", label="刷单返利")
    page.fill("#id_loss_amount", "23800")
    page.fill("#id_narrative", "兼职刷单，被要求垫付")
    page.fill("#id_victims-0-name", "浏览器受害人")
    page.fill("#id_victims-0-phone", "13600009999")
    page.select_option("#id_indicators-0-kind", "phone")
    page.fill("#id_indicators-0-value", "+86 138-1234-5678")  # the earlier case's number, written differently
    page.select_option("#id_indicators-1-kind", "url")
    page.fill("#id_indicators-1-value", "http://pay.example-task.cn/x")
    page.select_option("#id_indicators-1-role", "phishing_url")
    page.click("[data-testid=submit-case]")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.locator("[data-testid=ring-link]").count() == 1  # it joined the earlier case's ring
    case_id = re.search(r"/cases/(\d+)/$", page.url).group(1)
    number = page.inner_text("[data-testid=page-title]").strip()

    # The analyst sees it in the queue and opens its ring.
    page.context.clear_cookies()
    login(page, asgi_server, "analyst")
    page.goto(asgi_server + "/cases/")
    row = page.locator('#queue-rows tr[data-case-id="%s"]' % case_id)
    row.wait_for()
    assert number in row.inner_text()
    assert "2" in row.locator("[data-testid=ring-badge]").inner_text()
    row.locator("[data-testid=ring-badge]").click()
    page.wait_for_url(re.compile(r"/cases/rings/\d+/$"))
    page.wait_for_selector("#ring-graph[data-ready=true]")
    nodes = page.evaluate("window.ringGraph.nodes().map(n => n.data('label'))")
    assert number in nodes and earlier.number in nodes
    assert page.evaluate("window.ringGraph.edges().length") >= 3

    # On the case page the victim's phone is masked until revealed (htmx, audited).
    page.goto(asgi_server + "/cases/%s/" % case_id)
    assert "13600009999" not in page.inner_text("main")
    page.click("[data-testid=reveal-phone]")
    page.wait_for_selector("[data-revealed]")
    assert "13600009999" in page.inner_text("[data-testid=victims]")

    # The queue works from the keyboard: / focuses the search, j selects, Enter opens.
    page.goto(asgi_server + "/cases/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "queue-search"
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    first = page.locator("#queue-rows tr.table-active").get_attribute("data-case-id")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/%s/$" % first))
