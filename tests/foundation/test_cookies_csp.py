"""Response headers: the Content-Security-Policy on pages, the language cookie's flags."""

import pytest

from .test_settings import _manage

PRODUCTION = {"DJANGO_ENV": "production", "ALLOWED_HOSTS": "example.gov.cn",
              "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"}


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script_or_style(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_no_template_has_inline_script_handlers_or_styles():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    inline = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>|\son[a-z]+=|\sstyle=", re.I)
    found = [f"{path.relative_to(root)}: {m.group(0)}" for path in root.glob("*/templates/**/*.html")
             if ".venv" not in path.parts for m in inline.finditer(path.read_text())]
    found += [f"{path.relative_to(root)}: {m.group(0)}" for path in (root / "templates").glob("**/*.html")
              for m in inline.finditer(path.read_text())]
    assert found == []


@pytest.mark.django_db
def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en" and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_language_cookie_is_secure_in_production():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE, "
                     "settings.LANGUAGE_COOKIE_HTTPONLY)", env_extra=PRODUCTION)
    assert result.stdout.split()[-2:] == ["True", "True"], result.stdout + result.stderr
