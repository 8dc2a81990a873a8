"""Delivery loses nothing and doubles nothing when the worker is SIGKILLed mid-flight."""

import signal
import time
from decimal import Decimal

import pytest
from django.conf import settings

from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.models import Request
from core.models import AuditEntry
from events.models import Event
from tests.conftest import purge_broker, start_worker, stop_process

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)"),
]


def delivered() -> int:
    return Request.objects.filter(status=RequestStatus.DELIVERED).count()


def wait_for(predicate, timeout=60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_loses_and_doubles_nothing():
    from agencies.demo import seed_agencies
    from agencies.models import User
    from alerts.services import request_create
    from alerts.tasks import sweep_outbox

    purge_broker()
    seed_agencies()
    analyst = User.objects.get(username="analyst")
    total = 24
    for i in range(total):
        request_create(issuer=analyst, kind=RequestKind.STOP_PAYMENT, target_kind=TargetKind.ACCOUNT,
                       target_value="62220202%011d" % i, amount=Decimal("100"))
    assert Request.objects.filter(delivery_pending=True).count() == total

    slow = start_worker("slow", app="tests.alerts.slow_worker", pool="prefork", concurrency=2)
    try:
        # Generous: a worker process starting on a loaded 2-core machine can take most of a minute.
        assert wait_for(lambda: delivered() >= 3, timeout=120), "the first worker never delivered anything"
    finally:
        stop_process(slow, signal.SIGKILL)  # mid-flight: two tasks were sleeping inside their transaction
    after_kill = delivered()
    assert after_kill < total, "the worker finished everything before it was killed"

    fresh = start_worker("fresh", pool="prefork", concurrency=2)
    try:
        # Messages the dead worker had reserved are not acked and wait for the visibility
        # timeout; the sweep re-enqueues them now.
        time.sleep(1.0)
        sweep_outbox(older_than_seconds=0)
        assert wait_for(lambda: delivered() == total, timeout=90), "lost: %d of %d delivered" % (delivered(), total)
        sweep_outbox(older_than_seconds=0)  # a redundant sweep must not double anything
        time.sleep(1.5)
    finally:
        stop_process(fresh)

    assert not Request.objects.filter(delivery_pending=True).exists()
    for req in Request.objects.all():
        assert Event.objects.filter(kind="request.delivered", agency_id=req.target_agency_id,
                                    payload__id=req.pk).count() == 1, req.number
        # Emitted by the batch that delivered it: a killed batch took its events with it.
        assert Event.objects.filter(kind="request.created", agency_id=req.issuing_agency_id,
                                    payload__id=req.pk).count() == 1, req.number
        assert AuditEntry.objects.filter(object_id=str(req.pk), detail__move="delivered").count() == 1
