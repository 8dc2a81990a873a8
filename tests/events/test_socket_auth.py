"""Sockets live only as long as what opened them, agency systems connect with a token and no
Origin, and bad frames get an error frame. Against a real uvicorn and the Redis channel layer."""

import asyncio
import json
import time
import urllib.request

import pytest
import websockets
import websockets.exceptions  # not imported by the package itself: the tests name its classes before connecting
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "a" * 32


def ws(base: str) -> str:
    return base.replace("http://", "ws://") + "/ws/events/"


def session_cookie(username: str) -> str:
    from agencies.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


async def open_session_socket(base, sessionid, origin=True):
    sock = await websockets.connect(ws(base), origin=base if origin else None,
                                    additional_headers={"Cookie": "sessionid=" + sessionid})
    return await said_hello(sock)


async def open_token_socket(base, token):
    sock = await websockets.connect(ws(base), additional_headers={"Authorization": "Token " + token})
    return await said_hello(sock)


async def said_hello(sock):
    await sock.send(json.dumps({"type": "hello", "last_id": None}))
    msg = json.loads(await asyncio.wait_for(sock.recv(), 10))
    assert msg["type"] == "ready", msg
    return sock


async def closed_within(sock, seconds: float) -> int:
    """The close code, if the server closes the socket within ``seconds``."""
    try:
        while True:
            await asyncio.wait_for(sock.recv(), seconds)
    except websockets.exceptions.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def post(base, path, *, sessionid=None, token=None, body=None):
    headers = {"Content-Type": "application/json", "X-CSRFToken": CSRF}
    cookies = ["csrftoken=" + CSRF]
    if sessionid:
        cookies.append("sessionid=" + sessionid)
    if token:
        headers["Authorization"] = "Token " + token
    headers["Cookie"] = "; ".join(cookies)
    req = urllib.request.Request(base + path, method="POST", headers=headers,
                                 data=json.dumps(body or {}).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_socket_closes_within_a_second_of_its_sessions_logout_and_others_stay(live_server_url, demo_world):
    mine, other = session_cookie("bank_a"), session_cookie("bank_a")

    async def scenario():
        sock = await open_session_socket(live_server_url, mine)
        sock_other = await open_session_socket(live_server_url, other)
        assert await asyncio.to_thread(post, live_server_url, "/accounts/logout/", sessionid=mine) in (200, 302)
        started = time.monotonic()
        code = await closed_within(sock, 1.0)
        took = time.monotonic() - started
        # The other session of the same user stays: half a second on, its socket still answers
        # a hello (event frames for the agency may arrive meanwhile; a closed socket raises).
        await asyncio.sleep(0.5)
        await sock_other.send(json.dumps({"type": "hello", "last_id": None}))
        while json.loads(await asyncio.wait_for(sock_other.recv(), 10))["type"] != "ready":
            pass
        await sock_other.close()
        return code, took

    code, took = asyncio.run(scenario())
    assert code == 4401 and took < 1.0


@pytest.mark.parametrize("opened_with", ["session", "token"])
def test_a_socket_closes_within_a_second_of_its_user_being_disabled(live_server_url, token_for, opened_with):
    from agencies.models import User

    token = token_for("bank_b")
    sessionid = session_cookie("bank_b")

    def disable():
        user = User.objects.get(username="bank_b")
        user.is_active = False
        user.save()

    async def scenario():
        sock = await (open_token_socket(live_server_url, token) if opened_with == "token"
                      else open_session_socket(live_server_url, sessionid))
        await asyncio.to_thread(disable)
        started = time.monotonic()
        code = await closed_within(sock, 1.0)
        return code, time.monotonic() - started

    code, took = asyncio.run(scenario())
    assert code == 4401 and took < 1.0
    from rest_framework.authtoken.models import Token

    assert not Token.objects.filter(user__username="bank_b").exists()


def test_a_password_change_revokes_the_token_and_closes_its_socket(live_server_url, token_for):
    from agencies.models import User

    token = token_for("carrier_a")

    def change_password():
        user = User.objects.get(username="carrier_a")
        user.set_password("a-new-pass-2025")
        user.save()

    async def scenario():
        sock = await open_token_socket(live_server_url, token)
        await asyncio.to_thread(change_password)
        return await closed_within(sock, 1.0)

    assert asyncio.run(scenario()) == 4401
    req = urllib.request.Request(live_server_url + "/api/v1/me/", headers={"Authorization": "Token " + token})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)
    assert refused.value.code == 401


def test_revoking_a_token_through_the_api_closes_its_socket(live_server_url, token_for):
    token = token_for("bank_a_api")

    async def scenario():
        sock = await open_token_socket(live_server_url, token)
        status = await asyncio.to_thread(post, live_server_url, "/api/v1/auth/token/revoke/", token=token)
        return status, await closed_within(sock, 1.0)

    assert asyncio.run(scenario()) == (200, 4401)


def test_an_agency_system_opens_a_socket_with_a_token_and_no_origin(live_server_url, token_for):
    token = token_for("bank_a_api")

    async def scenario():
        sock = await open_token_socket(live_server_url, token)  # no Origin header at all
        await sock.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("origin", [None, "http://evil.example"])
def test_a_cookie_socket_needs_an_allowed_origin(live_server_url, demo_world, origin):
    sessionid = session_cookie("bank_a")

    async def scenario():
        sock = await websockets.connect(ws(live_server_url), origin=origin,
                                        additional_headers={"Cookie": "sessionid=" + sessionid})
        await sock.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(scenario())
    assert refused.value.response.status_code == 403


def test_a_bad_token_socket_is_refused(live_server_url, demo_world):
    async def scenario():
        sock = await websockets.connect(ws(live_server_url), additional_headers={"Authorization": "Token nope"})
        await sock.recv()

    with pytest.raises((websockets.exceptions.ConnectionClosed, websockets.exceptions.InvalidStatus)):
        asyncio.run(scenario())


def test_bad_frames_get_an_error_frame_and_the_socket_keeps_working(live_server_url, token_for):
    token = token_for("bank_a")
    bad = [
        ("not json", "invalid_json"),
        ("[" * 100000 + "]" * 100000, "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ('"hello"', "invalid_frame"),
        ('{"type": "hello", "last_id": "abc"}', "invalid_last_id"),
        ('{"type": "hello", "last_id": 1e400}', "invalid_last_id"),
        ('{"type": "hello", "last_id": 99999999999999999999999}', "invalid_last_id"),
        ('{"type": "subscribe", "case": {"id": 1}}', "invalid_case"),
        ('{"type": "subscribe", "case": -1}', "invalid_case"),
        ('{"type": "subscribe", "case": "\\u00b2"}', "invalid_case"),
        ('{"type": ["hello"]}', "unknown"),
        (b"\x00\x01binary", "invalid_frame"),
    ]

    async def scenario():
        sock = await open_token_socket(live_server_url, token)
        answers = []
        for frame, _code in bad:
            await sock.send(frame)
            answers.append(json.loads(await asyncio.wait_for(sock.recv(), 10)))
        await said_hello(sock)  # still open and working
        await sock.close()
        return answers

    answers = asyncio.run(scenario())
    assert [(a["type"], a["code"]) for a in answers] == [("error", code) for _frame, code in bad]
