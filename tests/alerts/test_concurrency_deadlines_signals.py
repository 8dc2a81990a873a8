"""Two clerks at once, deadline escalation, signals merging into one dissuasion task."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from alerts.choices import DissuasionOutcome, RequestKind, RequestStatus, TargetKind
from alerts.models import DeadlinePolicy, Request, Signal
from alerts.services import (
    RequestConflict,
    deadline_policy_update,
    request_acknowledge,
    request_complete,
    request_create,
    requests_escalate_overdue,
    signal_receive,
)
from events.models import Event
from tests.at_once import at_once
from tests.conftest import FAST_PASSWORD_HASHERS, seed_demo_agencies


@pytest.mark.django_db(transaction=True)
def test_two_clerks_acknowledge_at_once_one_wins_other_told(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    from agencies.models import User

    seed_demo_agencies()
    bank_a = User.objects.get(username="bank_a")
    clerk2 = User.objects.create(username="icbc-2", agency=bank_a.agency, role="officer")
    req = request_create(issuer=User.objects.get(username="analyst"), kind=RequestKind.STOP_PAYMENT,
                         target_kind=TargetKind.ACCOUNT, target_value="6222020200112233445", amount=Decimal("5"))
    assert Request.objects.get(pk=req.pk).status == RequestStatus.DELIVERED
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        barrier.wait()
        try:
            request_acknowledge(request_id=req.pk, actor=user)
            outcomes.append("ok")
        except RequestConflict as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (bank_a, clerk2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert any("已签收" in o for o in outcomes if o != "ok")  # the loser is told it was handled


def test_overdue_request_is_escalated_once_to_receiver_supervisors_and_centre(w):
    deadline_policy_update(actor=w.users["leader"], kind=RequestKind.STOP_PAYMENT, ack_minutes=1, complete_minutes=2)
    req = w.run(request_create, issuer=w.users["analyst"], kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                target_value="6222020200112233445")
    req.refresh_from_db()
    assert req.ack_due_at - req.delivered_at == timedelta(minutes=1)
    assert requests_escalate_overdue(now=timezone.now()) == 0
    with w.capture(execute=True):
        assert requests_escalate_overdue(now=timezone.now() + timedelta(minutes=2)) == 1
        assert requests_escalate_overdue(now=timezone.now() + timedelta(minutes=3)) == 0  # once
    req.refresh_from_db()
    assert req.escalated_at is not None
    escalations = Event.objects.filter(kind="request.escalated")
    assert escalations.filter(agency=w.agencies["bank-icbc"], role="supervisor").exists()
    assert escalations.filter(agency=w.agencies["w-centre"]).exists()


def test_only_leadership_edits_deadlines(w):
    from alerts.services import RequestForbidden

    with pytest.raises(RequestForbidden):
        deadline_policy_update(actor=w.users["analyst"], kind=RequestKind.FREEZE, ack_minutes=None, complete_minutes=1)
    assert not DeadlinePolicy.objects.exists()


def test_signals_about_one_resident_within_a_day_join_one_task(w):
    region = w.regions["340403001001"]
    first = w.run(signal_receive, actor=w.users["bank_a"], reason="向涉诈账户转账", region=region,
                  resident_name="赵阿姨", resident_id_number="340402195001011234", resident_phone="13800002222",
                  amount=Decimal("30000"))
    second = w.run(signal_receive, actor=w.users["carrier_a"], reason="与涉诈号码通话", region=region,
                   resident_phone="13800002222")
    third = w.run(signal_receive, actor=w.users["platform_a"], reason="下载涉诈应用", region=region,
                  resident_id_number="340402195001011234")
    assert first.task_id == second.task_id == third.task_id
    task = Request.objects.get(pk=first.task_id)
    assert task.kind == RequestKind.DISSUASION and task.status == RequestStatus.DELIVERED
    assert task.target_agency == w.agencies["ps-hubin"] and task.secondary_agency == w.agencies["cm-hupan"]
    # A day later a new signal makes a new task.
    Request.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    later = w.run(signal_receive, actor=w.users["bank_a"], reason="再次转账", region=region, resident_phone="13800002222")
    assert later.task_id != task.pk
    assert Signal.objects.filter(task=task).count() == 3


def test_grid_worker_records_unreachable_which_escalates_to_a_police_visit(w):
    signal = w.run(signal_receive, actor=w.users["bank_a"], reason="向涉诈账户转账", region=w.regions["340402001001"],
                   resident_phone="13800003333")
    task = Request.objects.get(pk=signal.task_id)
    w.run(request_acknowledge, request_id=task.pk, actor=w.users["grid_a"])
    w.run(request_complete, request_id=task.pk, actor=w.users["grid_a"], outcome=DissuasionOutcome.UNREACHABLE)
    visit = Request.objects.get(parent=task)
    assert visit.kind == RequestKind.DISSUASION and visit.target_agency == w.agencies["ps-renmin"]
    assert visit.status == RequestStatus.DELIVERED


def test_signal_without_a_region_makes_a_task_in_the_dispatch_queue_with_its_audit_and_event(w):
    from core.models import AuditEntry

    signal = w.run(signal_receive, actor=w.users["bank_a"], reason="向涉诈账户转账", resident_name="钱大爷",
                   resident_phone="13800004444")
    task = Request.objects.get(pk=signal.task_id)
    assert task.kind == RequestKind.DISSUASION and task.status == RequestStatus.CREATED
    assert task.needs_manual_routing and task.target_agency_id is None and not task.delivery_pending
    assert task.issuing_agency == w.agencies["w-centre"] and task.routing_reason  # why it waits there
    assert task.target_value == "钱大爷" and task.person_phone == "13800004444"
    # Made by request_create, as every request: its audit entry, and announced to the centre.
    assert AuditEntry.objects.filter(object_id=str(task.pk), detail__move="created").exists()
    assert Event.objects.filter(agency=w.agencies["w-centre"], kind="request.created", payload__number=task.number).exists()


def test_signal_from_a_police_station_is_refused(w):
    from alerts.services import RequestForbidden

    with pytest.raises(RequestForbidden):
        signal_receive(actor=w.users["officer"], reason="x", resident_phone="13800000000")


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_posts_with_one_idempotency_key_make_one_request(settings):
    # The key is stored after the handler answered: the three that lose wait on the key's
    # unique index, roll their own request back and replay the winner's answer.
    from rest_framework.test import APIClient

    from agencies.models import User

    seed_demo_agencies()
    analyst = User.objects.get(username="analyst")

    def post():
        client = APIClient()
        client.force_authenticate(analyst)
        return client.post("/api/v1/requests/", {"kind": "stop_payment", "target_kind": "account",
                                                 "target_value": "6222020200112233445", "amount": "5000.00"},
                           format="json", HTTP_IDEMPOTENCY_KEY="same-key")

    answers = at_once(4, post)
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.data["id"] for a in answers}) == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 3
    assert Request.objects.count() == 1
