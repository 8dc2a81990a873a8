import pytest
from guardian.shortcuts import get_perms
from rest_framework.test import APIClient

from cases.models import Case, Victim
from cases.services import case_share, victim_reveal
from core.models import AuditEntry

from .support import id_number, new_case, world  # noqa: F401


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_station_b_gets_404_for_station_a_case_and_it_is_not_listed(world):
    case = new_case(world, by="officer", region="340402001")
    assert api(world.users["officer"]).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    other = api(world.users["officer_b"])
    assert other.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert other.get("/api/v1/cases/").json()["count"] == 0


def test_county_centre_sees_its_county_not_another(world):
    east = new_case(world, by="officer", region="340402001")
    west = new_case(world, by="officer_b", region="340403001")
    county = api(world.users["county_analyst"])
    ids = {c["id"] for c in county.get("/api/v1/cases/").json()["results"]}
    assert east.pk in ids and west.pk not in ids
    assert county.get(f"/api/v1/cases/{west.pk}/").status_code == 404
    city = api(world.users["analyst"])
    assert {c["id"] for c in city.get("/api/v1/cases/").json()["results"]} >= {east.pk, west.pk}


@pytest.mark.parametrize("username", ["bank_a", "grid_a", "carrier_a", "platform_a"])
def test_banks_carriers_platforms_communities_never_see_cases(world, username):
    case = new_case(world, indicators=[("phone", "13811112222", "calling_number")])
    client = api(world.users[username])
    # The policy refuses their kind case.view outright (403, as the case pages do).
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 403
    assert client.get(f"/api/v1/rings/{case.ring_id}/").status_code == 403
    lookup = client.get("/api/v1/indicators/lookup/", {"value": "13811112222"})
    assert lookup.status_code == 403 and "indicators" not in lookup.json()


def test_procuratorate_sees_only_cases_shared_with_it_and_leader_sees_all_read_only(world):
    shared = new_case(world)
    hidden = new_case(world)
    case_share(case=shared, actor=world.users["analyst"], agency=world.agencies["w-procuratorate"])
    assert "view_shared_case" in get_perms(world.users["prosecutor"], shared)
    client = api(world.users["prosecutor"])
    assert [c["id"] for c in client.get("/api/v1/cases/").json()["results"]] == [shared.pk]
    assert client.get(f"/api/v1/cases/{hidden.pk}/").status_code == 404
    leader = api(world.users["leader"])
    assert leader.get("/api/v1/cases/").json()["count"] == 2
    assert leader.patch(f"/api/v1/cases/{hidden.pk}/", {"narrative": "x"}, format="json").status_code == 403


def test_lookup_lists_only_visible_cases_the_shared_one_for_the_procuratorate(world):
    trace = ("phone", "13822223333", "calling_number")
    shared = new_case(world, indicators=[trace])
    new_case(world, indicators=[trace])
    case_share(case=shared, actor=world.users["analyst"], agency=world.agencies["w-procuratorate"])
    found = api(world.users["prosecutor"]).get("/api/v1/indicators/lookup/", {"value": "138-2222-3333"}).json()
    (indicator,) = found["indicators"]
    assert [c["id"] for c in indicator["cases"]] == [shared.pk]
    assert indicator["case_count"] == indicator["visible_case_count"] == 1  # not the city-wide 2
    assert indicator["cases"][0]["region"] == shared.region_id and indicator["cases"][0]["status"] == "new"
    other_station = api(world.users["officer_b"]).get("/api/v1/indicators/lookup/", {"value": "13822223333"}).json()
    assert other_station["indicators"][0]["cases"] == []  # police may know how often, not which cases
    city = api(world.users["analyst"]).get("/api/v1/indicators/lookup/", {"value": "13822223333"}).json()
    assert city["indicators"][0]["case_count"] == 2 and len(city["indicators"][0]["cases"]) == 2


def test_api_create_with_nested_victims_indicators_and_idempotency_key(world):
    client = api(world.users["officer"])
    body = {
        "region": world.regions["340402001"].pk, "typology": "brushing",
        "occurred_at": "2026-01-05T10:00:00+08:00", "loss_amount": "12000.50", "payment_channel": "alipay",
        "victims": [{"name": "李四", "id_number": id_number("34040219900101123"), "phone": "13612345678", "age": 66}],
        "indicators": [
            {"kind": "phone", "value": "171 2345 6789", "role": "calling_number"},
            {"kind": "account", "value": "6222 0200 1111 2222 333", "role": "receiving_account_l1"},
            {"kind": "url", "value": "https://www.shua-dan.top/task", "role": "phishing_url"},
        ],
    }
    r1 = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r1.status_code == 201, r1.content
    data = r1.json()
    assert data["number"].startswith("3404020012026")
    assert data["victims"][0]["id_number"].count("*") == 8
    assert "13612345678" not in r1.content.decode()
    assert {i["value"] for i in data["indicators"]} == {"+8617123456789", "6222020011112222333", "shua-dan.top/task"}
    r2 = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r2.json()["id"] == data["id"] and Case.objects.count() == 1


def test_api_create_bad_input_answers_in_chinese_and_saves_nothing(world):
    client = api(world.users["officer"])
    body = {
        "region": world.regions["340402001"].pk, "typology": "brushing", "occurred_at": "2026-01-05T10:00:00+08:00",
        "loss_amount": "10", "payment_channel": "alipay",
        "victims": [{"name": "李四", "id_number": "340402199001011230"}],
        "indicators": [{"kind": "phone", "value": "abc"}],
    }
    r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 400
    assert "身份证号" in r.content.decode()
    body["victims"][0]["id_number"] = ""
    r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 400 and "电话号码" in r.content.decode()
    assert Case.objects.count() == 0
    assert api(world.users["bank_a"]).post("/api/v1/cases/", body, format="json").status_code == 403


def test_lookup_endpoint_answers_cases_ring_and_first_last_seen(world):
    a = new_case(world, indicators=[("account", "6222020000000000077", "receiving_account_l1")])
    b = new_case(world, by="officer_b", region="340403001", indicators=[("account", "6222-0200-0000-0000-077", "receiving_account_l2")])
    r = api(world.users["analyst"]).get("/api/v1/indicators/lookup/", {"value": "6222 0200 0000 0000 077"})
    ind = r.json()["indicators"][0]
    assert ind["case_count"] == 2 and {c["id"] for c in ind["cases"]} == {a.pk, b.pk}
    assert ind["ring"]["case_count"] == 2 and ind["first_seen_at"] and ind["last_seen_at"]
    station = api(world.users["officer"]).get("/api/v1/indicators/lookup/", {"value": "6222020000000000077"}).json()
    assert [c["id"] for c in station["indicators"][0]["cases"]] == [a.pk]
    assert api(world.users["analyst"]).get("/api/v1/indicators/lookup/").status_code == 400


def test_linked_and_ring_endpoints(world):
    a = new_case(world, indicators=[("phone", "13855556666", "calling_number")])
    b = new_case(world, indicators=[("phone", "13855556666", "calling_number")])
    client = api(world.users["analyst"])
    assert [c["id"] for c in client.get(f"/api/v1/cases/{a.pk}/linked/").json()["results"]] == [b.pk]
    ring = client.get(f"/api/v1/rings/{a.ring_id if a.ring_id else b.ring_id}/").json()
    b.refresh_from_db()
    assert ring["ring"]["case_count"] == 2 and len(ring["graph"]["edges"]) == 2


def test_reveal_returns_value_and_is_audited_and_refused_outside_scope(world):
    case = new_case(world)
    victim = Victim.objects.get(case=case)
    value = victim_reveal(victim=victim, actor=world.users["officer"], field="id_number")
    assert value == victim.id_number
    assert AuditEntry.objects.filter(action="view_personal", object_id=str(victim.pk)).count() == 1
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        victim_reveal(victim=victim, actor=world.users["officer_b"], field="phone")


def test_filters_and_search_by_victim_name_indicator_number(world):
    a = new_case(world, loss="90000", indicators=[("phone", "13877778888", "calling_number")])
    new_case(world, loss="10")
    client = api(world.users["analyst"])
    assert [c["id"] for c in client.get("/api/v1/cases/", {"q": "138-7777-8888"}).json()["results"]] == [a.pk]
    assert [c["id"] for c in client.get("/api/v1/cases/", {"q": a.number}).json()["results"]] == [a.pk]
    name = a.victims.get().name
    assert [c["id"] for c in client.get("/api/v1/cases/", {"q": name}).json()["results"]] == [a.pk]
    assert [c["id"] for c in client.get("/api/v1/cases/", {"loss_min": "1000"}).json()["results"]] == [a.pk]


def test_list_api_query_count_does_not_grow_with_cases(world, django_assert_max_num_queries):
    for n in range(12):
        new_case(world, indicators=[("phone", "1380000%04d" % (n // 3), "calling_number")])
    client = api(world.users["analyst"])
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/cases/")
    assert r.json()["count"] == 12


def test_api_create_with_transactions_answers_them_with_the_paying_account_masked(world):
    client = api(world.users["officer"])
    body = {
        "region": world.regions["340402001"].pk, "typology": "brushing",
        "occurred_at": "2026-01-05T10:00:00+08:00", "payment_channel": "bank_transfer",
        "victims": [{"name": "李四"}],
        "transactions": [
            {"occurred_at": "2026-01-05T10:02:00+08:00", "amount": "700.00", "payer_account": "6222600011112222333",
             "payee_account": "6222 0200 1111 2222 333", "payee_institution": "工商银行", "reference": "Z9"},
            {"occurred_at": "2026-01-05T10:04:00+08:00", "amount": "300.00", "payee_kind": "wallet",
             "payee_account": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"},
        ],
    }
    created = client.post("/api/v1/cases/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["loss_amount"] == "1000.00" and len(data["transactions"]) == 2
    assert data["transactions"][0]["payer_account"] == "6222***********2333"
    assert "6222600011112222333" not in created.content.decode()
    assert {i["kind"] for i in data["indicators"]} == {"account", "wallet"}
    bad = client.post("/api/v1/cases/", {**body, "transactions": [{"occurred_at": "2026-01-05T10:02:00+08:00",
                                                                   "amount": "0", "payee_account": "x"}]}, format="json")
    assert bad.status_code == 400 and "transactions.0.amount" in bad.json()["errors"]


def test_a_paying_account_is_revealed_on_request_and_audited(world, client):
    from cases.models import Transaction

    created = api(world.users["officer"]).post("/api/v1/cases/", {
        "region": world.regions["340402001"].pk, "typology": "brushing", "occurred_at": "2026-01-05T10:00:00+08:00",
        "payment_channel": "bank_transfer", "victims": [{"name": "李四"}],
        "transactions": [{"occurred_at": "2026-01-05T10:02:00+08:00", "amount": "700.00",
                          "payer_account": "6222600011112222333", "payee_account": "6222020011112222333"}],
    }, format="json")
    txn = Transaction.objects.get(case_id=created.json()["id"])
    client.force_login(world.users["officer"])
    page = client.get("/cases/%d/" % txn.case_id).content.decode()
    assert "6222***********2333" in page and "6222600011112222333" not in page
    shown = client.post("/cases/transactions/%d/reveal/" % txn.pk).content.decode()
    assert "6222600011112222333" in shown
    assert AuditEntry.objects.filter(action="view_personal", detail__field="payer_account").count() == 1
    client.force_login(world.users["bank_a"])
    assert client.post("/cases/transactions/%d/reveal/" % txn.pk).status_code in (403, 404)
