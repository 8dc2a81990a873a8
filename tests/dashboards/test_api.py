"""The stats API: figures, scope (office / centre / bank), 400s in the user's language, schema."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dashboards import assessment
from dashboards.services import period_close, period_for_month, weights_update

MARCH = "from=2025-03-01&to=2025-03-31"


def test_leader_gets_the_city_summary(w, api):
    r = api(w.users["leader"]).get("/api/v1/stats/summary/?" + MARCH)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["region"]["code"] == "340400" and body["from"] == "2025-03-01"
    assert body["figures"]["cases"] == 4 and Decimal(body["figures"]["loss"]) == Decimal("36000")
    assert body["figures"]["requests_overdue"] == 1 and body["previous"]["cases"] == 1


def test_leader_drills_down_to_a_community(w, api):
    r = api(w.users["leader"]).get("/api/v1/stats/summary/?region=340402001001&" + MARCH)
    assert r.status_code == 200 and r.json()["figures"]["rate"] == "1.61"


def test_county_centre_sees_its_county_and_below_only(w, api):
    client = api(w.users["county_analyst"])  # 东城区反诈中心
    assert client.get("/api/v1/stats/summary/?" + MARCH).json()["region"]["code"] == "340402"
    assert client.get("/api/v1/stats/summary/?region=340402001002&" + MARCH).json()["figures"]["cases"] == 1
    assert client.get("/api/v1/stats/summary/?region=340403&" + MARCH).status_code == 404
    assert client.get("/api/v1/stats/summary/?region=340400&" + MARCH).status_code == 404
    assert client.get("/api/v1/stats/timeseries/?region=340403001001&" + MARCH).status_code == 404


@pytest.mark.parametrize("username", ["bank_a", "carrier_a", "platform_a"])
def test_banks_carriers_platforms_get_no_region_figure(w, api, username):
    client = api(w.users[username])
    assert client.get("/api/v1/stats/summary/?" + MARCH).status_code == 403
    assert client.get("/api/v1/stats/timeseries/?region=340402001001&" + MARCH).status_code == 403


def test_timeseries_api(w, api):
    r = api(w.users["leader"]).get("/api/v1/stats/timeseries/?grain=week&" + MARCH)
    assert r.status_code == 200
    body = r.json()
    assert {p["period"]: p["cases"] for p in body["series"] if p["cases"]} == {"2025-03-10": 3, "2025-03-31": 1}
    assert body["typologies"][0]["code"] == "brushing" and body["age_groups"][0]["victims"] == 1


@pytest.mark.parametrize("query,field", [
    ("from=2025-13-01", "from"), ("from=2025-03-31&to=2025-03-01", "__all__"), ("region=999999", "region"),
    ("grain=hour", "grain"), ("from=2020-01-01&to=2025-01-01", "__all__"),
])
def test_bad_parameters_answer_400_in_chinese(w, api, query, field):
    r = api(w.users["leader"]).get("/api/v1/stats/summary/?" + query)
    assert r.status_code == 400
    assert field in r.json()["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_bad_parameters_answer_in_english_for_an_english_user(w, api):
    r = api(w.users["leader"]).get("/api/v1/stats/summary/?from=2025-03-31&to=2025-03-01", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r.json()["detail"] == "The start date cannot be after the end date."


def test_every_agency_sees_the_league_but_only_its_own_detail(w, api):
    r = api(w.users["bank_a"]).get("/api/v1/stats/assessment/?period=2025-03")
    assert r.status_code == 200
    body = r.json()
    league = {row["agency"]["code"]: row for row in body["league"]}
    assert league["bank-icbc"]["rank"] == 1 and league["bank-abc"]["score"] == "33.33"
    assert "ps-renmin" in league and "w-leadership" not in league
    assert [d["agency"]["code"] for d in body["detail"]] == ["bank-icbc"]
    assert body["detail"][0]["metrics"]["ack_p95"] == 600
    office = api(w.users["leader"]).get("/api/v1/stats/assessment/?period=2025-03").json()
    assert len(office["detail"]) == len(office["league"])


@pytest.mark.parametrize("value", ["2025-13", "march", "999999"])
def test_bad_period_is_a_400(w, api, value):
    r = api(w.users["bank_a"]).get("/api/v1/stats/assessment/?period=" + value)
    assert r.status_code == 400 and r.json()["errors"]["period"]


def test_last_months_score_does_not_change_when_the_weights_do(w):
    march = period_for_month(2025, 3)
    period_close(period=march, actor=w.users["leader"])
    with pytest.raises(PermissionDenied):
        weights_update(actor=w.users["analyst"], weights={"within_deadline": 100})
    weights_update(actor=w.users["leader"], weights={"within_deadline": 100, "money_held": 0, "not_overdue": 0,
                                                     "ack_in_time": 0})
    scores = {r["agency"].code: r["score"] for r in assessment.results(march)}
    assert scores["bank-icbc"] == Decimal("50.83")  # frozen with March's weights
    march.refresh_from_db()
    assert march.weights["within_deadline"] == 30
    with pytest.raises(ValidationError):  # a frozen period's weights cannot be set either
        weights_update(actor=w.users["leader"], weights={"within_deadline": 50}, period=march)
    march.refresh_from_db()
    assert march.weights["within_deadline"] == 30
    assert {r["agency"].code: r["score"] for r in assessment.results(march)}["bank-icbc"] == Decimal("50.83")
    april = period_for_month(2025, 4)
    assert april.weights["within_deadline"] == 100 and april.weights["money_held"] == 0
    reopened = period_for_month(2025, 3)  # the same period, not a new one with today's weights
    assert reopened.pk == march.pk and reopened.is_closed


def test_schema_documents_the_stats_endpoints(w, client):
    client.force_login(w.users["leader"])
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/stats/summary/", "/api/v1/stats/timeseries/", "/api/v1/stats/assessment/"):
        assert path in schema
    assert "publicity_reach" in schema and "within_share" in schema


def test_anonymous_gets_nothing(w, client):
    assert client.get("/api/v1/stats/summary/").status_code in (401, 403)


def test_period_dates(w):
    assert (period_for_month(2024, 2).start, period_for_month(2024, 2).end) == (date(2024, 2, 1), date(2024, 2, 29))
