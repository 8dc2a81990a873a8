"""'Not found' answers in the user's language, in both modes, from the API and from pages
(issue 21 §7: the API answered "No Outreach matches the given query." in English)."""

import re

import pytest
from rest_framework.test import APIClient

from tests.conftest import seed_demo_agencies

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def analyst(db):
    from agencies.models import User

    seed_demo_agencies()
    return User.objects.get(username="analyst")


@pytest.mark.parametrize("url", ["/api/v1/outreach/999999/", "/api/v1/requests/999999/", "/api/v1/cases/999999/",
                                 "/api/v1/agencies/999999/"])
def test_api_not_found_in_chinese_and_in_english(analyst, url):
    api = APIClient()
    api.force_authenticate(analyst)
    zh = api.get(url)
    assert zh.status_code == 404, url
    assert zh.data["code"] == "not_found" and CJK.search(zh.data["detail"]), zh.data
    assert "matches the given query" not in zh.data["detail"]
    en = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    api.cookies["django_language"] = "en"
    en = api.get(url)
    assert en.status_code == 404
    assert not CJK.search(en.data["detail"]) and "matches the given query" not in en.data["detail"], en.data


def test_page_not_found_in_both_languages(analyst, client):
    client.force_login(analyst)
    zh = client.get("/publicity/outreach/999999/")
    assert zh.status_code == 404
    assert "页面不存在" in zh.content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/publicity/outreach/999999/")
    assert en.status_code == 404
    text = en.content.decode()
    assert "Page not found" in text and "页面不存在" not in text
