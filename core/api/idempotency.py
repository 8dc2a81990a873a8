"""``Idempotency-Key`` support for POST endpoints used by agency systems.

An agency's system that times out and retries must not create a second freeze order. The
request stores its answer under (user, key, endpoint) in the same transaction as the object it
creates, with one ``INSERT ... ON CONFLICT DO NOTHING`` after the handler has answered. When
the key is already there, this attempt's writes are rolled back and the first answer is
replayed. Two concurrent requests with one key serialize on the unique index: the second's
insert waits for the first to commit, then finds its row (or, if the first rolled back, takes
the key itself).

Storing after the handler, rather than claiming the key before it and filling in the answer
after, is one round trip fewer on every keyed POST; a retry pays instead by running the handler
once more before it is rolled back, and retries are rare. Everything the handler leaves for
after the commit (``transaction.on_commit``: delivery, event pushes) is dropped with it.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"


def _body_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request, endpoint: str, handler) -> Response:
    """Run ``handler()`` (which returns a DRF Response) at most once per Idempotency-Key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 128:
        return Response(
            {"detail": _("Idempotency-Key 不能超过 128 个字符。"), "code": "invalid"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    body_hash = _body_hash(request.data)
    try:
        with transaction.atomic():
            response = handler()
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            if _store(request.user, key, endpoint, body_hash, response):
                return response
            transaction.set_rollback(True)  # the key was used first: undo this attempt
    except Exception:
        # A raised error (DRF answers it) is not stored: the key stays free for a corrected
        # retry. But a retry can fail on what its first attempt made (a code now taken): then
        # the first answer stands.
        record = _stored(request.user, key, endpoint)
        if record is None:
            raise
        return _replay(record, body_hash)
    return _replay(_stored(request.user, key, endpoint), body_hash)


def _stored(user, key: str, endpoint: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, key=key, endpoint=endpoint).first()


def _store(user, key: str, endpoint: str, body_hash: str, response: Response) -> bool:
    """Keep the answer for retries; False when the key is taken (by a committed request: a
    concurrent first request with the same key makes this insert wait until it commits)."""
    with connection.cursor() as cursor:
        cursor.execute(_STORE, [user.pk, key, endpoint, body_hash, response.status_code,
                                json.dumps(response.data, cls=DjangoJSONEncoder), timezone.now()])
        return cursor.fetchone() is not None


# bulk_create(ignore_conflicts=True) cannot say whether the row went in: RETURNING does.
_STORE = (
    f"INSERT INTO {IdempotencyKey._meta.db_table} "
    "(user_id, key, endpoint, request_hash, response_status, response_body, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, key, endpoint) DO NOTHING RETURNING id"
)


def _replay(record: IdempotencyKey, body_hash: str) -> Response:
    if record.request_hash != body_hash:
        return Response(
            {"detail": _("同一个 Idempotency-Key 已用于内容不同的请求。"), "code": "idempotency_key_reused"},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotentCreateMixin:
    """Mixin for a DRF ``CreateModelMixin`` view: POST honours the Idempotency-Key header."""

    def create(self, request, *args, **kwargs):
        parent = super().create
        return idempotent(request, request.path, lambda: parent(request, *args, **kwargs))
