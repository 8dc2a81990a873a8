"""The one WebSocket endpoint, ``/ws/events/``.

Protocol (JSON frames):
  client -> {"type": "hello", "last_id": N}    replay every stored event id > N, then live
                                               (N null: start from the newest, replay nothing)
  client -> {"type": "subscribe", "case": ID}  also tag pushes about that case (must be visible)
  server -> {"type": "event", "id", "kind", "case", "at", "payload"}
  server -> {"type": "ready", "last_id": N}    catch-up done
  server -> {"type": "error", "code": ..., "detail": ...}   a frame that is not JSON, not an
                                               object, of an unknown type or with a bad field

The socket lives only as long as what opened it (its session or token, and its user): every
socket also joins ``user.<id>``, where a logout, a password change, disabling the user or a
revoked token sends a hint to check again (events.services.user_sockets_check); a socket whose
credentials no longer hold closes with code 4401. The hint is at most once, so a socket that
forwards events also re-reads its credentials at least every ``WS_CREDENTIALS_RECHECK_SECONDS``.

Pushes through the channel layer are only hints. Each carries the receiving agency's previous
event id; when that one is already accounted for the push is sent as is, otherwise (a lost or
reordered push) the consumer re-reads the table for ids above the highest it has sent (see
``_drain``). So nothing is duplicated and nothing is skipped, and it stays in id order.
"""

import asyncio
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from .selectors import events_since, latest_event_id
from .services import agency_group, user_group

CLOSE_UNAUTHORIZED = 4401


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
        # What opened the socket, re-checked while it lives: a token, or else the session.
        self.token_key = self.scope.get("auth_token")
        session = self.scope.get("session")
        self.session_key = None if self.token_key or session is None else session.session_key
        self.checked_at = time.monotonic()
        self.closing = False
        self.groups_joined = [agency_group(user.agency_id), user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    # --------------------------------------------------------------- credentials

    async def credentials_check(self, message):
        """A hint that this user's credentials changed (events.services.user_sockets_check)."""
        ended = message.get("ended_session")
        if ended and ended == self.session_key:
            await self._end()
        else:
            await self._still_authorized(force=True)

    async def _still_authorized(self, *, force: bool = False) -> bool:
        if self.closing:
            return False
        if not force and time.monotonic() - self.checked_at < settings.WS_CREDENTIALS_RECHECK_SECONDS:
            return True
        valid = await database_sync_to_async(credentials_valid)(
            user_id=self.user.pk, token_key=self.token_key, session_key=self.session_key)
        self.checked_at = time.monotonic()
        if not valid:
            await self._end()
        return valid

    async def _end(self):
        if not self.closing:
            self.closing = True
            await self.close(code=CLOSE_UNAUTHORIZED)

    # --------------------------------------------------------------- client frames

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every frame is checked before it is acted on: a bad one gets an error frame."""
        if text_data is None:
            await self._error("invalid_frame", "frames are JSON text")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._error("invalid_json", "the frame is not valid JSON")
            return
        if not isinstance(content, dict):
            await self._error("invalid_frame", "a frame is a JSON object with a type")
            return
        await self.receive_json(content)

    async def _error(self, code: str, detail: str, **extra):
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def receive_json(self, content, **kwargs):
        if not await self._still_authorized():
            return
        kind = content.get("type")
        if kind == "hello":
            raw = content.get("last_id")
            if isinstance(raw, str) and raw.isdecimal():
                raw = int(raw)
            if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int) or raw >= 2**63):
                await self._error("invalid_last_id", "last_id is an event id (an integer) or null")
                return
            # null: a page opened for the first time starts from now instead of replaying history
            last_id = await database_sync_to_async(latest_event_id)(user=self.user) if raw is None else max(0, raw)
            async with self.lock:
                self.last_sent = last_id
            await self._drain()
            await self.send_json({"type": "ready", "last_id": self.last_sent})
        elif kind == "subscribe":
            await self._subscribe(content.get("case"))
        else:
            await self._error("unknown", "unknown message type")

    async def _subscribe(self, case_id):
        if isinstance(case_id, str) and case_id.isdecimal():
            case_id = int(case_id)
        if isinstance(case_id, bool) or not isinstance(case_id, int) or not 0 < case_id < 2**63:
            await self._error("invalid_case", "case is a case id (a positive integer)")
            return
        if not await self._can_see_case(case_id):
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
        if not await self._still_authorized():
            return
        for push in message.get("pushes") or ():
            await self._event_push(push)

    async def event_push(self, message):
        """One event (``event``, its ``role`` and the agency's ``prev`` event id)."""
        if await self._still_authorized():
            await self._event_push(message)

    async def _event_push(self, message):
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


def credentials_valid(*, user_id: int, token_key: str | None, session_key: str | None) -> bool:
    """Whether what opened a socket still holds: its token (not revoked, not expired) or its
    session (not ended, same user, same password), and its user is active."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import constant_time_compare
    from importlib import import_module

    from agencies.models import User
    from agencies.services import token_is_expired

    if token_key:
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=token_key, user_id=user_id).first()
        return token is not None and token.user.is_active and not token_is_expired(token)
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    data = store.load()  # empty when the session was flushed or expired
    if str(data.get(SESSION_KEY)) != str(user_id) or not data.get(BACKEND_SESSION_KEY):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and constant_time_compare(data.get(HASH_SESSION_KEY) or "", user.get_session_auth_hash())
