"""The one WebSocket endpoint, ``/ws/events/``.

Protocol (JSON frames):
  client -> {"type": "hello", "last_id": N}    replay every stored event id > N, then live
                                               (N null: start from the newest, replay nothing)
  client -> {"type": "subscribe", "case": ID}  also tag pushes about that case (must be visible)
  server -> {"type": "event", "id", "kind", "case", "at", "payload"}
  server -> {"type": "ready", "last_id": N}    catch-up done
  server -> {"type": "error", "code": ..., "detail": ...}

Pushes through the channel layer are only hints. Each carries the receiving agency's previous
event id; when that one is already accounted for the push is sent as is, otherwise (a lost or
reordered push) the consumer re-reads the table for ids above the highest it has sent (see
``_drain``). So nothing is duplicated and nothing is skipped, and it stays in id order.
"""

import asyncio

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .selectors import events_since, latest_event_id
from .services import agency_group


class EventConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not getattr(user, "agency_id", None):
            await self.close(code=4401)
            return
        self.user = user
        self.last_sent = None  # None until the client says hello: no live pushes before catch-up
        # Highest agency event id (any role) known to be sent or deliberately skipped; None =
        # unknown, so the next push reads the table.
        self.chain = None
        self.cases: set[int] = set()
        self.lock = asyncio.Lock()
        self.groups_joined = [agency_group(user.agency_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler it dispatches: one
        # thread hop per message, and every event reaches every socket of its agency (the
        # largest cost of a push in bench/bench_live.py). This consumer touches the database
        # only through database_sync_to_async, which does that check itself around each call.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError("No handler for message type %s" % message["type"])
        await handler(message)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "hello":
            raw = content.get("last_id")
            try:
                # null: a page opened for the first time starts from now instead of replaying history
                last_id = await database_sync_to_async(latest_event_id)(user=self.user) if raw is None \
                    else max(0, int(raw))
            except (TypeError, ValueError):
                last_id = 0
            async with self.lock:
                self.last_sent = last_id
            await self._drain()
            await self.send_json({"type": "ready", "last_id": self.last_sent})
        elif kind == "subscribe":
            await self._subscribe(content.get("case"))
        else:
            await self.send_json({"type": "error", "code": "unknown", "detail": "unknown message type"})

    async def _subscribe(self, case_id):
        try:
            case_id = int(case_id)
        except (TypeError, ValueError):
            case_id = None
        if case_id is None or not await self._can_see_case(case_id):
            # Same answer for "missing" and "not yours": no probing of other agencies' cases.
            await self.send_json({"type": "error", "code": "forbidden", "case": case_id, "detail": "case not visible"})
            return
        self.cases.add(case_id)
        await self.send_json({"type": "subscribed", "case": case_id})

    @database_sync_to_async
    def _can_see_case(self, case_id: int) -> bool:
        from cases.models import Case

        return Case.objects.restrict(self.user).filter(pk=case_id).exists()

    async def events_push(self, message):
        """Several events of this agency, in id order (events.services._send_all)."""
        for push in message.get("pushes") or ():
            await self.event_push(push)

    async def event_push(self, message):
        """One event (``event``, its ``role`` and the agency's ``prev`` event id)."""
        event = message.get("event") or {}
        event_id = event.get("id") or 0
        if self.last_sent is None:
            return  # before hello: the replay will include it
        async with self.lock:
            if self.chain is not None and event_id <= self.chain:
                return  # already sent (or skipped for its role)
            prev = message.get("prev")
            if self.chain is not None and prev is not None and prev <= self.chain:
                # Fast path: every earlier event of this agency is accounted for.
                self.chain = event_id
                role = message.get("role") or ""
                if event_id > self.last_sent and (not role or role == self.user.role):
                    await self._send_event(event)
                    self.last_sent = event_id
                return
        # A gap (a lost or reordered push, or the first push after hello): read the table. Event
        # commits are in id order (events.services), so everything up to this id is visible now.
        await self._drain()
        async with self.lock:
            self.chain = max(self.chain or 0, event_id)

    async def _send_event(self, message: dict):
        message = {"type": "event", **message}
        if message.get("case") in self.cases:
            message["followed"] = True
        await self.send_json(message)

    async def _drain(self):
        """Send every stored event above ``last_sent``, in id order, exactly once."""
        async with self.lock:
            while True:
                batch = await database_sync_to_async(events_since)(user=self.user, since=self.last_sent)
                for event in batch:
                    await self._send_event(event.as_message())
                    self.last_sent = event.id
                if len(batch) < 500:
                    return
