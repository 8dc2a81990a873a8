"""The requests API from the outside: boundaries (404), minimal view, Idempotency-Key, 409."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.choices import RequestStatus
from alerts.models import Request

URL = "/api/v1/requests/"


def post_stop_payment(w, api, key=None, account="6222020200112233445"):
    case = w.case()
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with w.capture(execute=True):
        return api(w.users["analyst"]).post(URL, {"kind": "stop_payment", "target_kind": "account", "target_value": account,
                                                  "case": case.pk, "amount": "5000.00"}, format="json", **headers)


def test_same_idempotency_key_twice_makes_one_request(w, api):
    first = post_stop_payment(w, api, key="k-1")
    assert first.status_code == 201, first.content
    client = api(w.users["analyst"])
    again = client.post(URL, {"kind": "stop_payment", "target_kind": "account", "target_value": "6222020200112233445",
                              "case": first.data["case_id"], "amount": "5000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.data["id"] == first.data["id"]
    assert Request.objects.count() == 1


def test_a_second_open_stop_payment_on_the_same_account_of_a_case_is_a_409(w, api):
    first = post_stop_payment(w, api)
    client = api(w.users["analyst"])
    again = client.post(URL, {"kind": "stop_payment", "target_kind": "account", "target_value": "6222020200112233445",
                              "case": first.data["case_id"], "amount": "5000.00"}, format="json")
    assert again.status_code == 409 and first.data["number"] in again.data["detail"]
    assert Request.objects.count() == 1


def test_bank_b_gets_404_on_bank_a_request_and_bank_a_sees_minimal_view(w, api):
    created = post_stop_payment(w, api)
    pk = created.data["id"]
    issuer_view = api(w.users["analyst"]).get(f"{URL}{pk}/").data
    assert issuer_view["target_agency"] == w.agencies["bank-icbc"].name  # the issuer sees the routing
    assert "工商银行" in issuer_view["routing_reason"]
    bank_b = api(w.users["bank_b"])
    assert bank_b.get(f"{URL}{pk}/").status_code == 404
    assert bank_b.post(f"{URL}{pk}/acknowledge/").status_code == 404
    assert bank_b.get(URL).data["count"] == 0
    mine = api(w.users["bank_a"]).get(f"{URL}{pk}/")
    assert mine.status_code == 200
    assert mine.data["case_number"] and mine.data["typology"] == "刷单返利" and mine.data["amount"] == "5000.00"
    assert mine.data["requesting_officer"]
    assert "case_id" not in mine.data and "target_agency" not in mine.data and "result" not in mine.data


def test_acknowledge_twice_answers_409_with_message(w, api):
    pk = post_stop_payment(w, api).data["id"]
    bank = api(w.users["bank_a"])
    with w.capture(execute=True):
        assert bank.post(f"{URL}{pk}/acknowledge/").status_code == 200
    again = bank.post(f"{URL}{pk}/acknowledge/")
    assert again.status_code == 409 and "已签收" in again.data["detail"]


def test_complete_with_result_and_reject_validation(w, api):
    pk = post_stop_payment(w, api).data["id"]
    bank = api(w.users["bank_a"])
    with w.capture(execute=True):
        bank.post(f"{URL}{pk}/acknowledge/")
        bad = bank.post(f"{URL}{pk}/complete/", {"amount_secured": "-1"}, format="json")
        assert bad.status_code == 400
        done = bank.post(f"{URL}{pk}/complete/", {"amount_secured": "4000.00", "balance": "4000.00", "onward_transfers": [
            {"amount": "1000.00", "transferred_at": "2026-01-01T10:00:00+08:00", "destination_account": "6228481122334455667",
             "destination_bank": "农业银行"}]}, format="json")
    assert done.status_code == 200, done.content
    assert Request.objects.get(pk=pk).status == RequestStatus.COMPLETED
    assert Request.objects.get(parent_id=pk).amount == Decimal("1000.00")
    assert bank.post(f"{URL}{pk}/reject/", {}, format="json").status_code == 400


def test_list_filters_by_direction_and_kind_in_constant_queries(w, api):
    for account in ("6222020200112233445", "6222020200112233446", "6228481122334455667"):
        post_stop_payment(w, api, account=account)
    client = api(w.users["bank_a"])
    assert client.get(URL, {"direction": "in"}).data["count"] == 2
    assert client.get(URL, {"direction": "out"}).data["count"] == 0
    analyst = api(w.users["analyst"])
    assert analyst.get(URL, {"direction": "out", "kind": "stop_payment"}).data["count"] == 3
    assert analyst.get(URL, {"kind": "freeze"}).data["count"] == 0
    with CaptureQueriesContext(connection) as small:
        analyst.get(URL)
    for i in range(5):
        post_stop_payment(w, api, account="62220202001122330%02d" % i)
    with CaptureQueriesContext(connection) as large:
        analyst.get(URL)
    assert len(large) == len(small)


def test_signal_post_makes_a_dissuasion_task(w, api):
    bank = api(w.users["bank_a"])
    with w.capture(execute=True):
        answer = bank.post("/api/v1/signals/", {"reason": "向涉诈账户转账", "region": "340402001001",
                                                "resident_phone": "13800004444", "amount": "2000"},
                           format="json", HTTP_IDEMPOTENCY_KEY="sig-1")
    assert answer.status_code == 201, answer.content
    task = Request.objects.get(number=answer.data["task_number"])
    assert task.target_agency == w.agencies["ps-renmin"] and task.status == RequestStatus.DELIVERED
    refused = api(w.users["officer"]).post("/api/v1/signals/", {"reason": "x", "resident_phone": "1"}, format="json")
    assert refused.status_code == 403


def test_requests_api_is_in_the_openapi_schema(w, api):
    schema = api(w.users["analyst"]).get("/api/v1/schema/")
    if schema.status_code == 404:
        from drf_spectacular.generators import SchemaGenerator

        paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    else:
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    for path in ("/api/v1/requests/", "/api/v1/requests/{id}/acknowledge/", "/api/v1/requests/{id}/complete/",
                 "/api/v1/requests/{id}/reject/", "/api/v1/requests/{id}/not-subscriber/", "/api/v1/signals/"):
        assert path in paths


def test_bad_create_input_is_refused_field_by_field_and_nothing_is_written(w, api):
    # A bad request is answered field by field and writes nothing.
    client = api(w.users["analyst"])
    bad = client.post(URL, {"kind": "teleport", "target_kind": "account", "amount": "-5"}, format="json",
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400
    assert set(bad.data) == {"detail", "code", "errors"} and set(bad.data["errors"]) == {"kind", "amount"}
    assert "teleport" in str(bad.data["errors"]["kind"][0]) and "0" in str(bad.data["errors"]["amount"][0])
    empty = client.post(URL, {"kind": "stop_payment", "target_kind": "account", "target_value": " "}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-bad")
    assert empty.status_code == 400 and "请填写请求目标" in empty.data["detail"]
    good = post_stop_payment(w, api)
    assert good.status_code == 201 and Request.objects.count() == 1


def test_labels_follow_each_callers_language_one_after_the_other(w, api):
    # alerts.payloads keeps labels per language: a cached one must never leak into the other.
    req = Request.objects.get(pk=post_stop_payment(w, api).data["id"])
    client = api(w.users["analyst"])
    for language, kind, status in [("zh-hans", "紧急止付", "已送达"), ("en", "Emergency stop-payment", "Delivered"),
                                   ("zh-hans", "紧急止付", "已送达"), ("en", "Emergency stop-payment", "Delivered")]:
        data = client.get(URL + "%d/" % req.pk, HTTP_ACCEPT_LANGUAGE=language).data
        assert (data["kind_display"], data["status_display"]) == (kind, status), language
