"""Production settings: ``check --deploy`` is clean and a missing SECRET_KEY stops the start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_extra, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DJANGO_SETTINGS")}
    env.update({"DJANGO_SETTINGS_MODULE": "fraudgov.settings", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", env_extra={"DJANGO_ENV": "production"}, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_empty_database_and_redis_urls_mean_the_embedded_default():
    """``DATABASE_URL=`` set but empty (an env file's blank line) is read as ./run reads it: no
    server configured. It stopped the start with a KeyError from the settings."""
    result = _manage("shell", "--no-imports", "-c",
                     "from django.conf import settings; from django.db import connection;"
                     " print(connection.vendor, settings.CELERY_TASK_ALWAYS_EAGER)",
                     env_extra={"DATABASE_URL": "", "REDIS_URL": "", "DJANGO_ENV": "development"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "True"]


def test_development_settings_idle_out_sessions_and_throttle_logins(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.parametrize("name", ["django.po", "django.mo"])
def test_english_translation_is_committed(name):
    assert (ROOT / "locale" / "en" / "LC_MESSAGES" / name).is_file()
