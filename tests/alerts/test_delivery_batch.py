"""A delivery batch routes each request as routing one alone would, and writes its records once."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.delivery import requests_deliver_pending
from alerts.models import Request
from alerts.routing import route_request
from alerts.services import request_create, request_not_subscriber
from dashboards import rollups
from dashboards.models import DirtyMark
from events.models import StagedEvent

MIXED = [
    (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "6222021234567890123"),
    (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "1039912345678"),
    (RequestKind.NUMBER_BLOCK, TargetKind.PHONE, "+86 139 1234 5678"),
    (RequestKind.NUMBER_BLOCK, TargetKind.PHONE, "18612345678"),
    (RequestKind.TAKEDOWN, TargetKind.URL, "https://m.weixin.qq.com/s/abc"),
    (RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "9999999999"),  # no bank owns it
]


def _statements(queries, pattern):
    return [q["sql"] for q in queries if re.match(pattern, q["sql"])]


def test_a_mixed_batch_is_routed_like_single_requests_with_one_insert_per_record(w):
    # Not through w.run: nothing commits in a test, so no delivery starts by itself.
    made = [request_create(issuer=w.users["analyst"], kind=k, target_kind=t, target_value=v) for k, t, v in MIXED]
    expected = {req.pk: route_request(req) for req in made}
    assert not DirtyMark.objects.exists()  # the batch marks the day, not each POST
    staged_before = StagedEvent.objects.count()

    with CaptureQueriesContext(connection) as q:
        assert requests_deliver_pending(limit=25) == len(made)

    for req in Request.objects.filter(pk__in=[r.pk for r in made]):
        route = expected[req.pk]
        if route is None:
            assert req.needs_manual_routing and req.status == RequestStatus.CREATED
        else:
            assert (req.status, req.target_agency_id, req.routing_reason) == \
                (RequestStatus.DELIVERED, route.agency.pk, route.reason)
            assert req.ack_due_at is not None or req.complete_due_at is not None
    assert any(route is None for route in expected.values()) and sum(r is not None for r in expected.values()) == 5
    # The routing keys of the whole batch in one read per prefix kind (cards, number segments).
    assert len(_statements(q.captured_queries, r'SELECT .*"agencies_routingkey"')) <= 3
    assert len(_statements(q.captured_queries, r'INSERT INTO "core_auditentry"')) == 1
    # The requests' own saves: one UPDATE each (alerts.delivery says why not bulk_update).
    assert len(_statements(q.captured_queries, r'UPDATE "alerts_request"')) == len(made)
    assert len(_statements(q.captured_queries, r'INSERT INTO "events_stagedevent"')) == 1
    # Each saved request marks its day (a row of one date: dashboards.rollups.mark_days); the
    # refresh reads them as the one day they are.
    assert len(_statements(q.captured_queries, r'INSERT INTO "dashboards_dirtymark"')) == len(made)
    assert set(DirtyMark.objects.values_list("day", flat=True)) == {rollups.local_day(timezone.now())}
    # Each request's request.created (to the issuing centre and the office, as it was written:
    # not yet routed), then every move's own event, to them and (when routed) the bank.
    staged = list(StagedEvent.objects.order_by("id")[staged_before:])
    assert [e.kind for e in staged[:2 * len(made)]] == ["request.created"] * 2 * len(made)
    assert {e.payload["status"] for e in staged[:2 * len(made)]} == {RequestStatus.CREATED}
    # ... and the unroutable one's request.needs_dispatch to the centre's supervisors (issue 19 §6).
    assert len(staged) == 2 * len(made) + 2 * 1 + 3 * 5 + 1
    assert [(e.kind, e.role) for e in staged if e.kind == "request.needs_dispatch"] == [
        ("request.needs_dispatch", "supervisor")]


def test_request_created_goes_out_once_with_the_first_delivery_not_with_the_post(w):
    analyst, carrier = w.users["analyst"], w.users["carrier_a"]
    staged_before = StagedEvent.objects.count()
    req = request_create(issuer=analyst, kind=RequestKind.NUMBER_BLOCK, target_kind=TargetKind.PHONE,
                         target_value="13912345678")
    assert StagedEvent.objects.count() == staged_before  # the POST itself emits nothing
    assert req.announced is False and req.delivery_pending is True

    requests_deliver_pending(limit=25)
    req.refresh_from_db()
    assert req.status == RequestStatus.DELIVERED and req.target_agency_id == carrier.agency_id
    staged = list(StagedEvent.objects.order_by("id").values_list("kind", "agency_id")[staged_before:])
    # One row per receiving agency: created to the centre and the office only (not routed yet),
    # delivered to the carrier as well.
    office = w.agencies["w-leadership"].pk
    assert [kind for kind, _agency in staged] == ["request.created"] * 2 + ["request.delivered"] * 3
    assert {agency for kind, agency in staged if kind == "request.created"} == {analyst.agency_id, office}
    assert {agency for kind, agency in staged if kind == "request.delivered"} == \
        {analyst.agency_id, office, carrier.agency_id}

    # "Not our subscriber" sends it through delivery again: re-routed, not announced again.
    request_not_subscriber(request_id=req.pk, actor=carrier)
    req.refresh_from_db()
    assert req.delivery_pending is True and req.announced is True
    requests_deliver_pending(limit=25)
    req.refresh_from_db()
    assert req.delivery_pending is False
    kinds = list(StagedEvent.objects.order_by("id").values_list("kind", flat=True)[staged_before:])
    assert "request.created" not in kinds[len(staged):]
    assert "request.not_subscriber" in kinds[len(staged):]


def test_a_woken_task_lingers_only_in_a_burst(monkeypatch, settings):
    # Outside a burst a wait is only latency; in one it fills the batch (alerts.delivery).
    import time

    from alerts import delivery

    slept = []
    monkeypatch.setattr(delivery.time, "sleep", slept.append)
    recent = delivery._RecentDeliveries()
    monkeypatch.setattr(delivery, "_recent", recent)
    recent.batches.append((time.monotonic() - 2, 10 * settings.DELIVERY_LINGER_ABOVE_PER_SECOND))  # long ago
    delivery.delivery_woken()
    assert slept == []
    recent.add(settings.DELIVERY_LINGER_ABOVE_PER_SECOND)
    delivery.delivery_woken()
    assert slept == [settings.DELIVERY_LINGER_SECONDS]


def test_the_sweep_wakes_a_worker_only_for_requests_left_pending(w, monkeypatch):
    # The beat's last resort for a lost wake-up: a request still pending some seconds after it
    # was written (or re-routed) gets a worker woken; a fresh or a delivered one does not.
    from alerts import tasks

    woken = []
    monkeypatch.setattr(tasks.deliver_pending, "delay", lambda: woken.append(True))
    analyst = w.users["analyst"]
    left, fresh = (request_create(issuer=analyst, kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                                  target_value=value) for value in ("6222020000000000011", "6222020000000000012"))
    Request.objects.filter(pk=left.pk).update(updated_at=timezone.now() - timedelta(seconds=30))
    assert tasks.sweep_outbox() == 1 and woken == [True]
    assert requests_deliver_pending(limit=25) == 2
    assert not Request.objects.filter(pk__in=[left.pk, fresh.pk], delivery_pending=True).exists()
    assert tasks.sweep_outbox(older_than_seconds=0) == 0 and woken == [True]
