"""WebSocket authentication: an agency system's API token, or the browser's session cookie.

A system passes its token as an ``Authorization: Token ...`` header (or ``?token=...``). A
token is not sent by a browser on its own, so a socket that presents one needs no ``Origin``
(server-side clients send none). A session cookie is: a page of another site could open a
socket with it (cross-site WebSocket hijacking), so only cookie sockets go through Channels'
``AllowedHostsOriginValidator`` (see fraudgov/asgi.py).
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    from agencies.services import token_is_expired

    token = Token.objects.select_related("user__agency").filter(key=key).first()
    if token is None or not token.user.is_active or token_is_expired(token):
        return AnonymousUser()
    return token.user


def token_from_scope(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() == "token":
                return parts[1]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("token") or [None])[0]


class TokenAuthMiddleware:
    """Sets ``scope["user"]`` from the token (anonymous if it is unknown, expired or its user is
    disabled) and ``scope["auth_token"]``, which the consumer re-checks while it lives."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        key = token_from_scope(scope)
        scope = dict(scope, user=await _user_for_token(key) if key else AnonymousUser(), auth_token=key)
        return await self.inner(scope, receive, send)


class TokenOrSession:
    """Sends a socket that presents a token to ``token``, every other one to ``session``."""

    def __init__(self, *, token, session):
        self.token, self.session = token, session

    async def __call__(self, scope, receive, send):
        app = self.token if token_from_scope(scope) else self.session
        return await app(scope, receive, send)
