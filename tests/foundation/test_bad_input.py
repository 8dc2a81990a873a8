"""Bad input gets a clear 4xx, never a 500: the causes a schemathesis run once found, one by one,
and the signals' smaller gaps (ID checksums, task numbers)."""

import json

import pytest
from django.test import override_settings

from alerts.models import Request


@pytest.fixture
def analyst(demo, api):
    return api(demo["analyst"])


def test_json_nested_100000_deep_is_a_400(analyst):
    body = "[" * 100_000 + "]" * 100_000
    response = analyst.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


def test_json_with_nan_or_infinity_is_a_400(analyst):
    for token in ("NaN", "Infinity", "-Infinity"):
        body = '{"kind": "stop_payment", "target_kind": "account", "target_value": "6222020200112233445", "amount": %s}' % token
        assert analyst.post("/api/v1/requests/", body, content_type="application/json").status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_a_json_body_over_the_limit_is_a_413_and_stores_nothing(analyst):
    body = json.dumps({"kind": "stop_payment", "target_kind": "account", "target_value": "6222020200112233445",
                       "note": "x" * (2 * 1024 * 1024)})
    response = analyst.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 413
    assert not Request.objects.exists()


@pytest.mark.parametrize("query", [
    "/api/v1/requests/?since=2024-01-01T00:00:00%2B99:00",
    "/api/v1/requests/?since=2024-01-01T00:00:00%2B18:44",
    "/api/v1/requests/?since=0001-01-01T00:00:00%2B14:00",
    "/api/v1/cases/?reported_after=2024-01-01T00:00:00-20:00",
    "/api/v1/cases/?reported_before=9999-12-31T23:59:59-11:00",
])
def test_out_of_range_datetimes_in_filters_are_a_400(analyst, query):
    response = analyst.get(query)
    assert response.status_code == 400, response.content


def test_an_in_range_offset_still_filters(analyst):
    assert analyst.get("/api/v1/requests/?since=2024-01-01T00:00:00%2B08:00").status_code == 200


@pytest.mark.parametrize("path", [
    "/api/v1/requests/null,null/acknowledge/", "/api/v1/requests/abc/", "/api/v1/cases/1e3/linked/",
    "/api/v1/return-proposals/x/approve/",
])
def test_a_non_numeric_id_is_a_404(analyst, path):
    response = analyst.post(path, {}, format="json") if path.endswith(("acknowledge/", "approve/")) else analyst.get(path)
    assert response.status_code == 404


def test_a_dissuasion_without_target_value_is_answered_not_crashed(analyst):
    response = analyst.post("/api/v1/requests/", {"kind": "dissuasion", "target_kind": "person", "person_name": "赵阿姨",
                                                  "person_phone": "13800002222", "person_region": "340403001001"},
                            format="json")
    assert response.status_code in (201, 400), response.content
    bare = analyst.post("/api/v1/requests/", {"kind": "dissuasion", "target_kind": "person"}, format="json")
    assert 400 <= bare.status_code < 500


def test_a_request_with_a_bad_id_checksum_is_a_400(analyst):
    response = analyst.post("/api/v1/requests/", {
        "kind": "dissuasion", "target_kind": "person", "person_name": "赵阿姨", "person_id_number": "340402195001011235",
        "person_region": "340403001001"}, format="json")
    assert response.status_code == 400 and "person_id_number" in response.json()


def test_a_signal_with_a_bad_id_checksum_is_a_400(demo, api):
    response = api(demo["bank_a"]).post("/api/v1/signals/", {
        "reason": "向涉诈账户转账", "resident_id_number": "340402195001011235", "region": "340403001001"}, format="json")
    assert response.status_code == 400 and "resident_id_number" in response.json()


def test_a_signal_answer_does_not_name_another_agencys_task(demo, api, django_capture_on_commit_callbacks):
    body = {"reason": "向涉诈账户转账", "resident_phone": "13800002222", "region": "340403001001"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api(demo["bank_a"]).post("/api/v1/signals/", body, format="json")
        joined = api(demo["carrier_a"]).post("/api/v1/signals/", {**body, "reason": "与涉诈号码通话"}, format="json")
    assert first.status_code == joined.status_code == 201
    task = Request.objects.get()
    assert not Request.objects.restrict(demo["carrier_a"]).filter(pk=task.pk).exists()
    assert joined.json()["task_number"] is None
    assert task.number not in json.dumps(joined.json())


def test_unrouted_dissuasion_task_numbers_are_random(demo, api):
    numbers = []
    for phone in ("13800002221", "13800002223", "13800002224"):
        response = api(demo["bank_a"]).post("/api/v1/signals/", {"reason": "向涉诈账户转账", "resident_phone": phone},
                                            format="json")
        assert response.status_code == 201
    numbers = list(Request.objects.order_by("id").values_list("number", flat=True))
    assert len(numbers) == 3
    tails = [n[10:] for n in numbers]
    assert not any(a.isdigit() and b.isdigit() and int(b) - int(a) == 1 for a, b in zip(tails, tails[1:]))
    assert all(len(t) >= 12 for t in tails)


def test_the_refusals_speak_the_callers_language(analyst):
    body = "[" * 100_000 + "]" * 100_000
    nested = analyst.post("/api/v1/requests/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert nested.status_code == 400 and "nested too deeply" in nested.json()["detail"]
    offset = analyst.get("/api/v1/requests/?since=2024-01-01T00:00:00%2B18:44", HTTP_ACCEPT_LANGUAGE="en")
    assert offset.status_code == 400 and "Time-zone offset out of range" in json.dumps(offset.json())
