"""The ASGI handler's body read: one message as it is, several through Django's spooled file."""

import asyncio

import pytest
from django.core.exceptions import RequestAborted


def _read(messages):
    from fraudgov.asgi import django_asgi_app

    queue = list(messages)

    async def receive():
        return queue.pop(0)

    async def run():
        body = await django_asgi_app.read_body(receive)
        try:
            return type(body).__name__, body.read()
        finally:
            body.close()

    return asyncio.run(run())


def test_a_body_in_one_message_is_read_as_it_came():
    assert _read([{"type": "http.request", "body": b'{"a": 1}'}]) == ("BytesIO", b'{"a": 1}')


def test_a_body_in_several_messages_is_read_whole_in_order():
    kind, body = _read([{"type": "http.request", "body": b"one-", "more_body": True},
                        {"type": "http.request", "body": b"two-", "more_body": True},
                        {"type": "http.request", "body": b"three"}])
    assert kind == "SpooledTemporaryFile" and body == b"one-two-three"


@pytest.mark.parametrize("messages", [
    [{"type": "http.disconnect"}],
    [{"type": "http.request", "body": b"half", "more_body": True}, {"type": "http.disconnect"}],
])
def test_a_client_that_leaves_mid_body_aborts_the_request(messages):
    with pytest.raises(RequestAborted):
        _read(messages)
