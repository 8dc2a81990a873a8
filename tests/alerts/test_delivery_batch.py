"""A delivery batch routes each request as routing one alone would, and writes its records once."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.delivery import requests_deliver_pending
from alerts.models import Request
from alerts.routing import route_request
from alerts.services import request_create
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
    DirtyMark.objects.all().delete()
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
    assert len(_statements(q.captured_queries, r'INSERT INTO "events_stagedevent"')) == 1
    assert len(_statements(q.captured_queries, r'INSERT INTO "dashboards_dirtymark"')) == 1
    assert list(DirtyMark.objects.values_list("day", flat=True)) == [rollups.local_day(timezone.now())]
    # Every move still has its own event, to the issuing centre and (when routed) the bank.
    assert StagedEvent.objects.count() - staged_before == 1 + 2 * 5


def test_a_day_is_marked_once_per_transaction_and_again_after_a_rolled_back_savepoint(w):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    DirtyMark.objects.all().delete()
    with transaction.atomic():
        rollups.mark_days([today])
        rollups.mark_days([today, None])
        assert DirtyMark.objects.filter(day=today).count() == 1
        with pytest.raises(RuntimeError), transaction.atomic():
            rollups.mark_days([yesterday])
            raise RuntimeError
        assert not DirtyMark.objects.filter(day=yesterday).exists()
        rollups.mark_days([yesterday])  # the savepoint's mark went with it: written again
        assert DirtyMark.objects.filter(day=yesterday).count() == 1
        rollups.refresh_dirty()  # consumes this transaction's own marks ...
        rollups.mark_days([today])  # ... so a later change must mark its day again
        assert DirtyMark.objects.filter(day=today).count() == 1
