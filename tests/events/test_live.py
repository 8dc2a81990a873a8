"""Live events over a real uvicorn + Redis channel layer + Celery worker, from the outside."""

import asyncio
import json
import threading
import time
import urllib.request
from decimal import Decimal

import pytest
import websockets
import websockets.exceptions  # not imported by the package itself: the tests name its classes before connecting
from django.db import connection, transaction

from events.models import Event
from events.services import event_emit

pytestmark = pytest.mark.django_db(transaction=True)


def ws_url(base: str, token: str) -> str:
    return base.replace("http://", "ws://") + "/ws/events/?token=" + token


async def connect(base, token, last_id=0):
    sock = await websockets.connect(ws_url(base, token), origin=base)
    await sock.send(json.dumps({"type": "hello", "last_id": last_id}))
    return sock


async def read_until_ready(sock, timeout=10.0) -> list[dict]:
    got = []
    while True:
        msg = json.loads(await asyncio.wait_for(sock.recv(), timeout))
        if msg["type"] == "ready":
            return got
        got.append(msg)


async def collect(sock, seconds: float) -> list[dict]:
    got = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            got.append(json.loads(await asyncio.wait_for(sock.recv(), left)))
        except asyncio.TimeoutError:
            break
    return got


async def collect_until(sock, kind: str, timeout: float) -> list[dict]:
    """Every message up to and including the first event of ``kind`` (the worker process may be
    slow to start, hence a long timeout that a passing run never waits out)."""
    got = []
    end = time.monotonic() + timeout
    while not any(m.get("kind") == kind for m in got):
        got.append(json.loads(await asyncio.wait_for(sock.recv(), max(end - time.monotonic(), 0.01))))
    return got


def agency_id(code):
    from agencies.models import Agency

    return Agency.objects.get(code=code).id


def test_stop_payment_delivered_by_worker_reaches_bank_a_socket_only(live_server_url, worker, token_for):
    from agencies.models import User
    from alerts.choices import RequestKind, TargetKind
    from alerts.services import request_create

    bank_a, bank_b = token_for("bank_a_api"), token_for("bank_b")
    start = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

    async def scenario():
        sock_a = await connect(live_server_url, bank_a, start)
        sock_b = await connect(live_server_url, bank_b, start)
        await read_until_ready(sock_a)
        await read_until_ready(sock_b)
        await asyncio.to_thread(
            lambda: request_create(issuer=User.objects.get(username="analyst"), kind=RequestKind.STOP_PAYMENT,
                                   target_kind=TargetKind.ACCOUNT, target_value="6222020200001234567",
                                   amount=Decimal("5000"))
        )
        got_a = await collect_until(sock_a, "request.delivered", 20)
        # Bank B's socket had the whole delivery to receive something, and one more second.
        got_b = await collect(sock_b, 1.0)
        await sock_a.close()
        await sock_b.close()
        return got_a, got_b

    got_a, got_b = asyncio.run(scenario())
    kinds_a = [m["kind"] for m in got_a if m["type"] == "event"]
    assert "request.delivered" in kinds_a
    delivered = next(m for m in got_a if m.get("kind") == "request.delivered")
    assert "victims" not in json.dumps(delivered["payload"])
    assert got_b == []


def test_reconnect_with_last_id_gets_exactly_the_three_missed_in_order_and_polling_agrees(live_server_url, token_for):
    token = token_for("bank_a")
    icbc = agency_id("bank-icbc")
    event_emit(kind="request.created", recipients=[icbc], payload={"n": 0})

    async def first():
        sock = await connect(live_server_url, token, 0)
        seen = await read_until_ready(sock)
        await sock.close()
        return seen[-1]["id"]

    last_id = asyncio.run(first())
    missed = [event_emit(kind="request.acknowledged", recipients=[icbc, agency_id("bank-abc")],
                         payload={"n": n})[0].id for n in (1, 2, 3)]

    async def again():
        sock = await connect(live_server_url, token, last_id)
        replay = await read_until_ready(sock)
        extra = await collect(sock, 1.0)
        await sock.close()
        return replay, extra

    replay, extra = asyncio.run(again())
    assert [m["id"] for m in replay] == missed
    assert [m["payload"]["n"] for m in replay] == [1, 2, 3]
    assert extra == []

    req = urllib.request.Request(live_server_url + "/api/v1/events/?since=%d" % last_id,
                                 headers={"Authorization": "Token " + token})
    body = json.loads(urllib.request.urlopen(req).read())
    assert [e["id"] for e in body["results"]] == missed
    assert body["last_id"] == missed[-1]


def test_live_pushes_after_hello_arrive_once_in_order_and_only_for_my_agency(live_server_url, token_for):
    token = token_for("bank_a")
    icbc, abc = agency_id("bank-icbc"), agency_id("bank-abc")

    first = event_emit(kind="request.created", recipients=[icbc], payload={})[0].id

    async def fresh():
        sock = await connect(live_server_url, token, first)
        await read_until_ready(sock)
        emitted = []
        for to in (icbc, abc, icbc, icbc):  # the first push reads the table, the rest go straight
            ev = (await asyncio.to_thread(event_emit, kind="signal.received", recipients=[to], payload={}))[0]
            if to == icbc:
                emitted.append(ev.id)
        got = await collect(sock, 2.0)
        await sock.close()
        return emitted, got

    emitted, got = asyncio.run(fresh())
    assert [m["id"] for m in got] == emitted


def test_case_subscription_refused_for_a_case_the_user_cannot_see(live_server_url, token_for):
    from agencies.models import Agency, Region
    from cases.models import Case, Typology
    from django.utils import timezone

    typology, _ = Typology.objects.get_or_create(code="brushing", defaults={"name": "刷单返利"})
    case = Case.objects.create(
        number="AJ-EV-1", reported_at=timezone.now(), occurred_at=timezone.now(),
        reporting_agency=Agency.objects.get(code="ps-renmin"), region=Region.objects.get(code="340402001"),
        typology=typology, loss_amount=Decimal("100"),
    )

    async def ask(token):
        sock = await connect(live_server_url, token, 0)
        await read_until_ready(sock, 20)
        await sock.send(json.dumps({"type": "subscribe", "case": case.id}))
        msg = json.loads(await asyncio.wait_for(sock.recv(), 10))
        await sock.close()
        return msg

    assert asyncio.run(ask(token_for("bank_b")))["type"] == "error"
    assert asyncio.run(ask(token_for("analyst")))["type"] == "subscribed"


def test_anonymous_socket_is_refused(live_server_url, demo_world):
    async def scenario():
        sock = await websockets.connect(live_server_url.replace("http://", "ws://") + "/ws/events/",
                                        origin=live_server_url)
        await sock.recv()

    with pytest.raises((websockets.exceptions.ConnectionClosed, websockets.exceptions.InvalidStatus)):
        asyncio.run(scenario())


def test_event_stored_first_but_committed_last_is_still_seen_after_one_already_seen(demo_world):
    """Ids become visible in id order without one emitter waiting for another.

    The slow transaction stores its event first and commits last; the fast one commits (and is
    read by a client) meanwhile. The slow event must then get an id above the one the client
    already saw, or a client catching up with ``since=<fast id>`` would never receive it.
    """
    from agencies.models import User
    from events.selectors import events_since

    icbc = agency_id("bank-icbc")
    clerk = User.objects.get(username="bank_a")
    stored = threading.Event()
    release = threading.Event()
    result = {}

    def slow():
        with transaction.atomic():
            result["slow"] = event_emit(kind="case.updated", recipients=[icbc], payload={"n": "slow"})[0]
            stored.set()
            release.wait(10)
        connection.close()

    a = threading.Thread(target=slow)
    a.start()
    assert stored.wait(10)
    started = time.monotonic()
    fast = event_emit(kind="case.updated", recipients=[icbc], payload={"n": "fast"})[0]
    assert time.monotonic() - started < 2, "the fast emitter waited for the slow transaction"
    seen = events_since(user=clerk, since=0)
    assert [e.payload["n"] for e in seen] == ["fast"] and seen[0].id == fast.id
    release.set()
    a.join()
    caught_up = events_since(user=clerk, since=fast.id)
    assert [e.payload["n"] for e in caught_up] == ["slow"]
    assert caught_up[0].id > fast.id
    assert result["slow"].id == caught_up[0].id  # the emitter learnt its event's final id


def test_a_batch_of_events_reaches_each_socket_once_in_order_in_one_push_per_agency(live_server_url, token_for,
                                                                                     monkeypatch):
    # A delivery batch publishes its events together: one group_send per agency
    # (events.services._send_all), unpacked in order by the consumer (events_push).
    from channels.layers import get_channel_layer

    from events.services import agency_group, event_build, events_emit

    token = token_for("bank_a")
    icbc, abc = agency_id("bank-icbc"), agency_id("bank-abc")
    first = event_emit(kind="request.created", recipients=[icbc], payload={})[0].id
    layer = get_channel_layer()
    sent = []
    real_send = layer.group_send

    async def counting_send(group, message):
        sent.append((group, message["type"], len(message.get("pushes", []))))
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting_send)

    def emit_batch():
        with transaction.atomic():
            events = events_emit([event_build(kind="request.delivered", recipients=[to], payload={"n": n})
                                  for n, to in enumerate((icbc, abc, icbc, icbc, abc))])
        connection.close()
        return [e.id for e in events if e.agency_id == icbc]

    async def run():
        sock = await connect(live_server_url, token, first)
        await read_until_ready(sock)
        # A push the socket accounts for first: then the batch's pushes take the fast path.
        await asyncio.to_thread(event_emit, kind="signal.received", recipients=[icbc], payload={})
        warm = await collect(sock, 1.0)
        emitted = await asyncio.to_thread(emit_batch)
        got = await collect(sock, 2.0)
        await sock.close()
        return warm, emitted, got

    warm, emitted, got = asyncio.run(run())
    assert len(warm) == 1
    assert [m["id"] for m in got] == emitted and [m["payload"]["n"] for m in got] == [0, 2, 3]
    assert sorted(sent[-2:]) == sorted([(agency_group(icbc), "events.push", 3), (agency_group(abc), "events.push", 2)])
