import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.linking import ring_recompute
from cases.models import Case, CaseIndicator, Indicator, Ring
from cases.services import case_override_priority, case_remove_indicator, case_transition

from .support import new_case, world  # noqa: F401

PHONE, CARD, CARD2 = "phone", "account", "account"


def test_same_phone_written_two_ways_links_two_cases_into_one_ring(world):
    a = new_case(world, indicators=[(PHONE, "138 0013 8000", "calling_number")])
    b = new_case(world, indicators=[(PHONE, "+86-13800138000", "calling_number")])
    a.refresh_from_db()
    assert a.ring_id == b.ring_id
    assert Indicator.objects.get(value="+8613800138000").case_count == 2
    assert a.ring.case_count == 2


def test_case_bridging_two_rings_merges_them_with_correct_aggregates(world):
    a1 = new_case(world, loss="100", indicators=[(PHONE, "13800000001", "calling_number")])
    a2 = new_case(world, loss="200", indicators=[(PHONE, "13800000001", "calling_number")])
    b1 = new_case(world, loss="300", indicators=[(CARD, "6222020000000000001", "receiving_account_l1")])
    assert a1.ring_id != b1.ring_id
    bridge = new_case(world, loss="400", indicators=[(PHONE, "13800000001", "calling_number"), (CARD, "6222020000000000001", "receiving_account_l1")])
    ring = Ring.objects.get(pk=bridge.ring_id)
    assert set(Case.objects.filter(ring=ring).values_list("pk", flat=True)) == {a1.pk, a2.pk, b1.pk, bridge.pk}
    assert ring.case_count == 4 and str(ring.total_loss) == "1000.00"
    assert Ring.objects.count() == 1  # the smaller ring was absorbed, not left behind
    assert set(Indicator.objects.values_list("ring_id", flat=True)) == {ring.pk}


def test_removing_the_bridging_indicator_splits_the_ring(world):
    a = new_case(world, indicators=[(PHONE, "13800000002", "calling_number")])
    bridge = new_case(world, indicators=[(PHONE, "13800000002", "calling_number"), (CARD, "6222020000000000002", "receiving_account_l1")])
    b = new_case(world, indicators=[(CARD, "6222020000000000002", "receiving_account_l1")])
    assert Case.objects.filter(ring_id=b.ring_id).count() == 3
    link = CaseIndicator.objects.get(case=bridge, indicator__value="+8613800000002")
    case_remove_indicator(case=bridge, actor=world.users["officer"], link=link)
    a.refresh_from_db()
    b.refresh_from_db()
    bridge.refresh_from_db()
    assert a.ring_id != b.ring_id
    assert bridge.ring_id == b.ring_id
    assert a.ring.case_count == 1 and b.ring.case_count == 2


def test_benign_values_never_link_cases(world):
    a = new_case(world, indicators=[(PHONE, "95588", "contact_number")])
    b = new_case(world, indicators=[(PHONE, "95588", "contact_number"), ("url", "https://www.taobao.com/item/1", "phishing_url")])
    c = new_case(world, indicators=[("url", "taobao.com/item/1", "phishing_url")])
    assert len({a.ring_id, b.ring_id, c.ring_id}) == 3
    assert not Indicator.objects.get(value="95588").is_linkable


def test_indicator_over_suspect_threshold_is_flagged_not_merged(world, settings):
    settings.CASES_SUSPECT_INDICATOR_THRESHOLD = 3
    cases = [new_case(world, indicators=[(PHONE, "13900000003", "calling_number")]) for _ in range(5)]
    ind = Indicator.objects.get(value="+8613900000003")
    assert not ind.is_linkable and ind.needs_review and ind.review_reason
    rings = [Case.objects.get(pk=c.pk).ring_id for c in cases]
    assert rings[0] == rings[1] == rings[2]
    assert rings[3] != rings[0] and rings[4] != rings[3]


def test_same_victim_same_amount_close_in_time_is_flagged_duplicate_not_dropped(world):
    victim = {"name": "王五", "id_number": "11010519491231002X", "phone": "13700000000", "age": 70}
    first = new_case(world, loss="8888", victim=dict(victim))
    second = new_case(world, loss="8888", victim=dict(victim))
    other = new_case(world, loss="100", victim=dict(victim))
    assert second.possible_duplicate_of_id == first.pk
    assert other.possible_duplicate_of_id is None
    assert Case.objects.count() == 3
    assert second.timeline.filter(kind="duplicate_flagged").exists()


def test_transitions_follow_table_and_roles(world):
    case = new_case(world)
    officer, analyst, supervisor = world.users["officer"], world.users["analyst"], world.users["supervisor"]
    with pytest.raises(PermissionDenied):
        case_transition(case=case, actor=officer, to_status="triaged")
    with pytest.raises(ValidationError):
        case_transition(case=case, actor=analyst, to_status="solved")
    case = case_transition(case=case, actor=analyst, to_status="triaged")
    case = case_transition(case=case, actor=officer, to_status="investigating")
    case = case_transition(case=case, actor=officer, to_status="solved")
    with pytest.raises(PermissionDenied):
        case_transition(case=case, actor=analyst, to_status="closed")
    case = case_transition(case=case, actor=supervisor, to_status="closed")
    assert case.status == "closed"
    assert case.timeline.filter(kind="transition").count() == 4
    with pytest.raises(PermissionDenied):  # a bank can never move a case
        case_transition(case=case, actor=world.users["bank_a"], to_status="investigating")


def test_priority_override_needs_supervisor_and_reason(world):
    case = new_case(world)
    with pytest.raises(PermissionDenied):
        case_override_priority(case=case, actor=world.users["analyst"], priority=99, reason="急")
    with pytest.raises(ValidationError):
        case_override_priority(case=case, actor=world.users["supervisor"], priority=99, reason=" ")
    case = case_override_priority(case=case, actor=world.users["supervisor"], priority=99, reason="受害人情绪激动")
    case.refresh_from_db()
    assert case.priority == 99 and case.priority_override_reason == "受害人情绪激动"
    case = case_override_priority(case=case, actor=world.users["supervisor"], priority=None, reason="恢复")
    assert case.priority == case.priority_computed


def test_ring_recompute_keeps_connected_ring_whole(world):
    a = new_case(world, indicators=[(PHONE, "13800000009", "calling_number")])
    new_case(world, indicators=[(PHONE, "13800000009", "calling_number")])
    a.refresh_from_db()
    assert len(ring_recompute(a.ring)) == 1


def test_adding_a_value_to_the_warning_list_unlinks_and_splits_its_ring(world):
    from cases.services import benign_add

    a = new_case(world, indicators=[(PHONE, "0554-66600123", "contact_number")])
    b = new_case(world, indicators=[(PHONE, "055466600123", "contact_number")])
    assert Case.objects.get(pk=a.pk).ring_id == b.ring_id
    benign_add(kind="phone", value="0554 6660 0123", note="某单位总机", actor=world.users["centre_admin"])
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.ring_id != b.ring_id
    assert not Indicator.objects.get(value="+8655466600123").is_linkable


def test_adding_a_trace_to_a_case_merges_rings_and_counts_the_case_once(world):
    from cases.services import case_add_indicator

    a = new_case(world, loss="100", indicators=[(PHONE, "13800000021", "calling_number")])
    b = new_case(world, loss="200", indicators=[(CARD, "6222020000000000021", "receiving_account_l1")])
    officer = world.users["officer"]
    case_add_indicator(case=b, actor=officer, kind=PHONE, value="138 0000 0021", role="calling_number")
    b.refresh_from_db()
    assert Case.objects.get(pk=a.pk).ring_id == b.ring_id and b.ring.case_count == 2
    assert str(b.ring.total_loss) == "300.00" and Ring.objects.count() == 1
    # The same trace again in another role is a second link, not a second case on the trace.
    case_add_indicator(case=b, actor=officer, kind=PHONE, value="13800000021", role="contact_number")
    phone = Indicator.objects.get(value="+8613800000021")
    assert phone.case_count == 2 and phone.ring_id == b.ring_id
    assert CaseIndicator.objects.filter(case=b, indicator=phone).count() == 2
    assert Ring.objects.get(pk=b.ring_id).case_count == 2


def test_intake_writes_the_case_once_with_its_ring_and_priority(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = new_case(world, indicators=[(PHONE, "13800000022", "calling_number")])
    with CaptureQueriesContext(connection) as ctx:
        second = new_case(world, indicators=[(PHONE, "13800000022", "calling_number"),
                                             ("url", "https://www.example-shop.top/pay", "phishing_url")])
    case_writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(('INSERT INTO "cases_case"', 'UPDATE "cases_case"'))]
    assert len(case_writes) == 1 and case_writes[0].startswith("INSERT")
    second.refresh_from_db()
    assert second.ring_id == Case.objects.get(pk=first.pk).ring_id and second.ring.case_count == 2
    assert second.priority == second.priority_computed > 0
    url = Indicator.objects.get(kind="url")
    assert url.case_count == 1 and url.ring_id == second.ring_id and url.first_seen_at == second.occurred_at
