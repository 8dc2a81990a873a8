"""``Idempotency-Key`` support for POST endpoints used by agency systems.

An agency's system that times out and retries must not create a second freeze order. The first
request stores its answer under (user, key, endpoint) in the same transaction as the object it
creates; a retry gets the stored answer. Two concurrent requests with one key serialize on the
unique index: the second waits for the first to commit and then reads its answer.
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
            {"detail": _("Idempotency-Key 不能超过 128 个字符。")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    body_hash = _body_hash(request.data)
    with transaction.atomic():
        record = _claim(request.user, key, endpoint, body_hash)
        if record is None:  # a retry: the first request's row, once its transaction ended
            record = IdempotencyKey.objects.select_for_update().get(user=request.user, key=key, endpoint=endpoint)
            if record.request_hash != body_hash:
                return Response(
                    {"detail": _("同一个 Idempotency-Key 已用于内容不同的请求。")},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record.response_status is not None:
                response = Response(record.response_body, status=record.response_status)
                response["Idempotent-Replayed"] = "true"
                return response
        response = handler()
        if response.status_code < 500:
            _store(record, response)
        else:
            transaction.set_rollback(True)
        return response


def _claim(user, key: str, endpoint: str, body_hash: str) -> IdempotencyKey | None:
    """Insert the key's row, or return None when it exists: one statement for the first
    request, where get_or_create took a locking read and a savepoint around its insert.
    A concurrent first request with the same key makes this insert wait until it commits."""
    table = IdempotencyKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, endpoint, request_hash, created_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (user_id, key, endpoint) DO NOTHING RETURNING id",
            [user.pk, key, endpoint, body_hash, timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return IdempotencyKey(pk=row[0], user=user, key=key, endpoint=endpoint, request_hash=body_hash)


def _store(record: IdempotencyKey, response: Response) -> None:
    """Keep the answer for retries: one plain UPDATE (a model save compiled one for every POST)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IdempotencyKey._meta.db_table} SET response_status = %s, response_body = %s WHERE id = %s",
            [response.status_code, json.dumps(response.data, cls=DjangoJSONEncoder), record.pk],
        )


class IdempotentCreateMixin:
    """Mixin for a DRF ``CreateModelMixin`` view: POST honours the Idempotency-Key header."""

    def create(self, request, *args, **kwargs):
        parent = super().create
        return idempotent(request, request.path, lambda: parent(request, *args, **kwargs))
