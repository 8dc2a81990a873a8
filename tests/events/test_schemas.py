"""Events declared once (issue 18 §4): who receives each kind, and what it carries.

1. For every demo agency and every event kind, the audience of the kind's subject equals the
   set of agencies whose users can see that object through ``restrict()``.
2. One test per emitting action: the kind, the payload against its declared schema, and
   exactly who receives it (the receiver list is a security decision, so it is written out
   here, not derived), with each receiver's view (a request's minimal one for its receivers).

The demo world is committed once for the module and emptied at its end; each test runs in a
transaction of its own, rolled back. Events are read as the action stored them (``StagedEvent``, in
the caller's transaction), before any publish.
"""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from agencies.choices import Role
from agencies.models import Agency, Region, User
from alerts.choices import RequestKind, TargetKind
from alerts.models import Request, Signal
from cases.models import Case, Typology
from events.models import StagedEvent
from events.schemas import EVENT_KINDS, REQUEST_FULL, REQUEST_MINIMAL, EventSchemaError, event_kind
from propaganda.models import Bulletin, BulletinReceipt
from tests.conftest import committed_demo_world

CENTRE_CHAIN_OF_RENMIN = {"ps-renmin", "dc-centre", "w-centre"}  # the station and the police above it
ALL_CODES = {
    "w-leadership", "w-centre", "dc-centre", "ps-renmin", "ps-chaoyang", "ps-hubin", "ps-chengguan", "bank-icbc",
    "bank-abc", "bank-ccb", "bank-cmb", "pay-alipay", "tel-cmcc", "tel-cucc", "tel-ctcc", "net-tencent",
    "net-bytedance", "cm-xingfuli", "cm-guangming", "cm-chaoyangxc", "cm-hupan", "cm-xuefu", "cm-chengguan",
    "w-procuratorate", "w-court", "w-publicity",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo world committed for the module (``committed_demo_world``), plus what the demo
    lacks: a request issued by a station, a case shared with the procuratorate, signals with and
    without a region, a published county bulletin and its receipts."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), committed_demo_world():
        _extras()
        yield


def _extras():
    from alerts.delivery import request_deliver
    from alerts.services import request_create, signal_receive
    from cases.services import case_share

    station_req = request_create(issuer=user("officer"), kind=RequestKind.STOP_PAYMENT,
                                 target_kind=TargetKind.ACCOUNT, target_value="6222020299887766554",
                                 amount=Decimal("3000"))
    request_deliver(request_id=station_req.pk)
    case = Case.objects.filter(reporting_agency__code="ps-renmin").order_by("pk").first()
    case_share(case=case, actor=user("officer"), agency=Agency.objects.get(code="w-procuratorate"))
    signal_receive(actor=user("carrier_a"), reason="频繁接听境外来电", resident_phone="13955550001",
                   region=Region.objects.get(code="340403001001"))
    signal_receive(actor=user("platform_a"), reason="疑似刷单", resident_phone="13955550002")
    from propaganda.services import bulletin_draft, bulletin_open, bulletin_publish

    county = user("county_analyst")  # the demo's own bulletin stays a draft of the city centre
    bulletin = bulletin_draft(actor=county, week_start=timezone.localdate() - timedelta(days=21))
    bulletin_publish(bulletin=bulletin, actor=county)
    bulletin_open(bulletin=bulletin, user=user("bank_a"))


def user(username: str) -> User:
    return User.objects.select_related("agency__region").get(username=username)


def code(agency_id: int) -> str:
    return Agency.objects.get(pk=agency_id).code


@contextmanager
def emitted():
    """The events an action stored, as (agency code, role) -> the StagedEvent row."""
    mark = StagedEvent.objects.aggregate(m=Max("id"))["m"] or 0
    box: list[StagedEvent] = []
    yield box
    box.extend(StagedEvent.objects.filter(id__gt=mark).order_by("id"))


def receivers(events, kind: str) -> dict[tuple[str, str], dict]:
    """(agency code, role) -> payload of the events of ``kind``; each payload checked."""
    out = {}
    for event in events:
        if event.kind != kind:
            continue
        event_kind(kind).check(event.payload)
        key = (code(event.agency_id), event.role)
        assert key not in out, "two %s events to %s" % (kind, key)
        out[key] = event.payload
    return out


def everyone(*codes: str) -> set[tuple[str, str]]:
    return {(c, "") for c in codes}


def assert_request_views(by_receiver: dict, req: Request) -> None:
    """The request's receivers get the minimal view, everyone else the full one (as in the API)."""
    receiving = {a.code for a in (req.target_agency, req.secondary_agency) if a}
    for (agency_code, _role), payload in by_receiver.items():
        if agency_code in receiving:
            assert not REQUEST_MINIMAL.problems(payload), agency_code
            assert "target_agency_id" not in payload and "result" not in payload
        else:
            assert not REQUEST_FULL.problems(payload), agency_code


# ---------------------------------------------------------------- 1. audience == visibility


SUBJECTS = {"alerts.Request": Request, "cases.Case": Case, "alerts.Signal": Signal,
            "propaganda.Bulletin": Bulletin, "propaganda.BulletinReceipt": BulletinReceipt}
_visible_cache: dict = {}


def visible_to(model) -> dict[int, set[int]]:
    """Object id -> ids of the demo agencies that see it through ``restrict()`` (a user of each
    agency; the rules read the agency, not the role)."""
    if model not in _visible_cache:
        seen: dict[int, set[int]] = {pk: set() for pk in model.objects.values_list("pk", flat=True)}
        for agency in Agency.objects.select_related("region"):
            viewer = User(username="v-" + agency.code, agency=agency, role=Role.OFFICER, is_active=True)
            for pk in model.objects.restrict(viewer).values_list("pk", flat=True):
                seen[pk].add(agency.pk)
        _visible_cache[model] = seen
    return _visible_cache[model]


@pytest.mark.parametrize("kind", sorted(k for k, v in EVENT_KINDS.items() if v.subject))
def test_each_event_kind_reaches_exactly_the_agencies_that_see_its_subject(world, db, kind):
    declared = EVENT_KINDS[kind]
    model = SUBJECTS[declared.subject]
    assert set(Agency.objects.values_list("code", flat=True)) == ALL_CODES
    seen = visible_to(model)
    assert seen, "the demo world has no %s" % declared.subject
    mismatched = {}
    for obj in model.objects.all():
        audience = declared.receivers(obj)
        if audience != seen[obj.pk]:
            mismatched[obj.pk] = (sorted(map(code, audience - seen[obj.pk])), sorted(map(code, seen[obj.pk] - audience)))
    assert not mismatched, "object: (receives but cannot see, sees but does not receive) %s" % mismatched
    # A batch's audiences (one query, alerts.delivery) are the same as one object's at a time.
    assert declared.receivers_many(model.objects.all()) == seen


def test_the_demo_world_exercises_every_clause_of_the_rules(world, db):
    """Guards the test above against a world too plain to tell the rules apart."""
    requests, cases = visible_to(Request), visible_to(Case)
    dc_centre, procuratorate = Agency.objects.get(code="dc-centre"), Agency.objects.get(code="w-procuratorate")
    station_req = Request.objects.get(issuing_agency__code="ps-renmin")
    assert dc_centre.pk in requests[station_req.pk]  # the police chain
    assert any(procuratorate.pk in seen for seen in cases.values())  # a share
    assert any(dc_centre.pk not in seen for seen in cases.values())  # a case outside the county
    assert Signal.objects.filter(region__isnull=True).exists() and Signal.objects.filter(region__isnull=False).exists()
    assert Bulletin.objects.filter(status="draft").exists() and Bulletin.objects.filter(status="published").exists()


def test_stats_refreshed_goes_to_the_live_dashboards_who_all_see_region_figures(world, db):
    from dashboards.access import can_see_region_figures

    audience = EVENT_KINDS["stats.refreshed"].receivers()
    assert {code(a) for a in audience} == {"w-leadership", "w-centre", "dc-centre"}
    for agency in Agency.objects.filter(pk__in=audience):
        assert can_see_region_figures(User(agency=agency, role=Role.OFFICER, is_active=True))


def test_an_undeclared_kind_or_a_payload_off_its_schema_is_refused(world, db):
    from events.services import event_build

    with pytest.raises(EventSchemaError, match="unknown event kind"):
        event_build(kind="request.teleported", recipients=[1], payload={})
    with pytest.raises(EventSchemaError, match="not"):
        event_build(kind="case.updated", subject=Request.objects.first(), payload={})
    case_shape = EVENT_KINDS["case.updated"]
    with pytest.raises(EventSchemaError, match="missing 'ring_id'"):
        case_shape.check({"case_id": 1, "number": "A", "status": "new", "priority": 3})
    with pytest.raises(EventSchemaError, match="'priority' is bool"):
        case_shape.check({"case_id": 1, "number": "A", "status": "new", "priority": True, "ring_id": None})
    with pytest.raises(EventSchemaError, match="unexpected 'victims'"):
        case_shape.check({"case_id": 1, "number": "A", "status": "new", "priority": 3, "ring_id": None, "victims": []})


@override_settings(EVENTS_CHECK_PAYLOADS=True)
def test_a_payload_off_its_schema_fails_at_emit_time_in_checking_runs(world, db):
    from events.services import event_emit

    case = Case.objects.first()
    with pytest.raises(EventSchemaError):
        event_emit(kind="case.updated", subject=case, payload={"case_id": case.pk})


# ---------------------------------------------------------------- 2. every emitting action


def _new_case(actor_name="officer", region="340402001"):
    from cases.services import case_create

    actor = user(actor_name)
    now = timezone.now()
    return case_create(
        actor=actor, reporting_agency=actor.agency, region=Region.objects.get(code=region),
        typology=Typology.objects.order_by("pk").first(), occurred_at=now - timedelta(hours=1),
        loss_amount=Decimal("8800"), payment_channel="bank_transfer", victims=[{"name": "测试人"}],
        indicators=[{"kind": "phone", "value": "13900001111"}],
    )


def test_case_created_reaches_the_station_the_police_above_it_and_the_office(world, db):
    with emitted() as events:
        case = _new_case()
    got = receivers(events, "case.created")
    assert set(got) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership")
    assert got[("ps-renmin", "")] == {"case_id": case.pk, "number": case.number, "status": case.status,
                                      "priority": case.priority, "ring_id": case.ring_id}


def test_linking_an_indicator_tells_who_sees_the_case_and_a_share_adds_the_procuratorate(world, db):
    from cases.services import case_add_indicator, case_share, case_transition

    case = _new_case()
    with emitted() as events:
        case_add_indicator(case=case, actor=user("officer"), kind="account", value="6222020200112233445")
    assert set(receivers(events, "case.updated")) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership")

    case_share(case=case, actor=user("officer"), agency=Agency.objects.get(code="w-procuratorate"))
    with emitted() as events:
        case_transition(case=case, actor=user("analyst"), to_status="triaged")
    assert set(receivers(events, "case.transition")) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership",
                                                                  "w-procuratorate")


def test_case_in_another_county_does_not_reach_the_first_countys_police(world, db):
    from cases.services import case_assign

    case = _new_case("officer_b", "340403001")
    with emitted() as events:
        case_assign(case=case, actor=user("officer_b"), assignee=user("officer_b"))
    assert set(receivers(events, "case.assigned")) == everyone("ps-hubin", "w-centre", "w-leadership")


def _stop_payment(issuer="analyst", account="6222020211223344556"):
    from alerts.services import request_create

    return request_create(issuer=user(issuer), kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                          target_value=account, amount=Decimal("5000"))


def _deliver(req) -> Request:
    from alerts.delivery import request_deliver

    return request_deliver(request_id=req.pk)


def test_request_created_and_delivered_reach_the_issuer_the_bank_and_the_office(world, db):
    req = _stop_payment()
    with emitted() as events:
        req = _deliver(req)
    created = receivers(events, "request.created")
    # Before routing nobody receives it yet: the issuing centre and the office.
    assert set(created) == everyone("w-centre", "w-leadership")
    delivered = receivers(events, "request.delivered")
    assert set(delivered) == everyone("w-centre", "w-leadership", "bank-icbc")
    assert_request_views(delivered, req)
    assert delivered[("bank-icbc", "")]["status"] == "delivered"


def test_a_station_request_also_reaches_the_police_above_the_station(world, db):
    req = _stop_payment("officer", "6222020233445566778")
    with emitted() as events:
        req = _deliver(req)
    delivered = receivers(events, "request.delivered")
    assert set(delivered) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership", "bank-icbc")
    assert_request_views(delivered, req)
    assert "target_agency_id" in delivered[("dc-centre", "")]  # the full view, as the API shows it


def test_an_unroutable_request_reaches_only_the_issuing_side(world, db):
    req = _stop_payment(account="9999999999")  # no bank owns it
    with emitted() as events:
        _deliver(req)
    assert set(receivers(events, "request.unroutable")) == everyone("w-centre", "w-leadership")


def test_not_our_subscriber_no_longer_reaches_the_carrier_that_said_so(world, db):
    from alerts.services import request_create, request_not_subscriber

    req = _deliver(request_create(issuer=user("analyst"), kind=RequestKind.NUMBER_BLOCK,
                                  target_kind=TargetKind.PHONE, target_value="13912340000"))
    assert req.target_agency.code == "tel-cmcc"
    with emitted() as events:
        request_not_subscriber(request_id=req.pk, actor=user("carrier_a"))
    # Sent back for routing: the carrier may not see it any more, so it is not told either.
    assert set(receivers(events, "request.not_subscriber")) == everyone("w-centre", "w-leadership")


@pytest.mark.parametrize("move", ["acknowledged", "completed", "rejected"])
def test_each_receiver_move_reaches_everyone_who_sees_the_request(world, db, move):
    from alerts.services import request_acknowledge, request_complete, request_reject

    req = _deliver(_stop_payment("officer", "6222020244556677889"))
    bank = user("bank_a")
    if move != "rejected":
        with emitted() as events:
            request_acknowledge(request_id=req.pk, actor=bank)
        if move == "completed":
            with emitted() as events:
                request_complete(request_id=req.pk, actor=bank, amount_secured=Decimal("5000"), balance=Decimal("5000"))
    else:
        with emitted() as events:
            request_reject(request_id=req.pk, actor=bank, reason="账户不存在")
    got = receivers(events, "request." + move)
    assert set(got) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership", "bank-icbc")
    req.refresh_from_db()
    assert_request_views(got, req)
    assert got[("bank-icbc", "")]["status"] == move


def test_escalation_reaches_the_issuing_side_and_only_the_receivers_supervisors(world, db):
    from alerts.services import requests_escalate_overdue

    req = _deliver(_stop_payment("officer", "6222020255667788990"))
    Request.objects.filter(pk=req.pk).update(ack_due_at=timezone.now() - timedelta(minutes=1))
    with emitted() as events:
        assert requests_escalate_overdue() >= 1
    got = receivers([e for e in events if e.payload.get("id") == req.pk], "request.escalated")
    assert set(got) == everyone(*CENTRE_CHAIN_OF_RENMIN, "w-leadership") | {("bank-icbc", Role.SUPERVISOR)}
    req.refresh_from_db()
    assert_request_views(got, req)
    assert all(payload["escalated"] for payload in got.values())


def test_a_signal_reaches_its_source_the_centres_of_its_area_and_the_office(world, db):
    from alerts.services import signal_receive

    with emitted() as events:
        signal = signal_receive(actor=user("bank_a"), reason="向涉诈账户转账", resident_phone="13955550003",
                                region=Region.objects.get(code="340402001001"))
    got = receivers(events, "signal.received")
    assert set(got) == everyone("bank-icbc", "dc-centre", "w-centre", "w-leadership")
    assert got[("bank-icbc", "")] == {"signal": signal.pk, "task": signal.task.number}


def test_a_county_bulletin_reaches_who_serves_the_county_and_its_opening_the_issuer(world, db):
    from propaganda.services import bulletin_draft, bulletin_open, bulletin_publish

    county = user("county_analyst")
    bulletin = bulletin_draft(actor=county, week_start=timezone.localdate() - timedelta(days=14))
    with emitted() as events:
        bulletin_publish(bulletin=bulletin, actor=county)
    got = receivers(events, "bulletin.published")
    other_counties = {"ps-hubin", "ps-chengguan", "cm-hupan", "cm-xuefu", "cm-chengguan"}
    assert set(got) == everyone(*(ALL_CODES - other_counties))
    assert got[("bank-icbc", "")] == {"bulletin": bulletin.pk, "title": bulletin.title,
                                      "week_start": bulletin.week_start.isoformat()}

    grid = user("grid_a")
    with emitted() as events:
        bulletin_open(bulletin=bulletin, user=grid)
    got = receivers(events, "bulletin.opened")
    assert set(got) == everyone("cm-xingfuli", "dc-centre", "w-leadership")
    assert got[("dc-centre", "")] == {"bulletin": bulletin.pk, "agency": grid.agency_id}


def test_stats_refreshed_reaches_the_office_and_the_centres(world, db):
    from dashboards import rollups

    _new_case()  # marks today's figures stale
    with emitted() as events:
        days = rollups.refresh_dirty()
    assert days
    got = receivers(events, "stats.refreshed")
    assert set(got) == everyone("w-leadership", "w-centre", "dc-centre")
    assert got[("w-centre", "")]["days"][-1] == days[-1].isoformat()
