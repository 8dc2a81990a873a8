"""docker-compose.yml is read, not run (no Docker engine here): it must parse and describe the
production shape."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_seven_services_with_health_checks():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "socket", "nginx", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name


def test_app_services_share_the_production_environment():
    services = compose()["services"]
    for name in ("web", "socket", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "SECRET_KEY" in env
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "gunicorn -c deploy/gunicorn.conf.py" in " ".join(services["web"]["command"])
    assert services["socket"]["command"][:2] == ["uvicorn", "fraudgov.asgi:application"]


def test_only_nginx_is_published_and_it_routes_http_and_sockets_apart():
    services = compose()["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]
    nginx = services["nginx"]
    assert nginx["command"] == ["deploy/nginx-entrypoint.sh"]
    assert (nginx["environment"]["WEB_UPSTREAM"], nginx["environment"]["SOCKET_UPSTREAM"]) == ("web:8000", "socket:8001")
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    assert "location /ws/" in template and "proxy_pass http://fraudgov_socket" in template
    assert "location /static/" in template and "X-Forwarded-Proto $scheme" in template


def test_data_lives_in_volumes():
    doc = compose()
    assert {"pgdata", "redisdata", "media"} <= set(doc["volumes"])
    assert any("pgdata:" in v for v in doc["services"]["postgres"]["volumes"])


def test_app_connects_as_the_app_role_and_migrates_as_the_owner():
    doc = compose()
    for name in ("web", "worker", "beat"):
        env = doc["services"][name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://fraudgov_app:")
        assert env["DATABASE_OWNER_URL"].startswith("postgres://fraudgov:")
    postgres = doc["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_USER"] == "postgres"  # the superuser is not the app's
    init = [v for v in postgres["volumes"] if "/docker-entrypoint-initdb.d/" in v]
    assert init and (ROOT / init[0].split(":")[0]).exists()
    script = (ROOT / init[0].split(":")[0]).read_text()
    assert "NOSUPERUSER" in script and "FRAUDGOV_APP_PASSWORD" in script


def test_only_nginx_may_name_the_client_address():
    doc = compose()
    nginx_address = doc["services"]["nginx"]["networks"]["default"]["ipv4_address"]
    for name in ("web", "socket", "worker", "beat"):
        assert doc["services"][name]["environment"]["TRUSTED_PROXIES"] == nginx_address, name
