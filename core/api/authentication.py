"""API authentication: DRF's token scheme, with expiry, the user's agency read in the same
query, and the answer kept in the cache for a minute."""

from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def token_cache_key(key: str) -> str:
    # A digest, not the key itself: whoever can list the cache's keys must not get credentials.
    return "auth.token." + sha256(key.encode()).hexdigest()


def token_cache_forget(keys) -> None:
    """Drop cached tokens (their user or agency changed, or they were revoked)."""
    cache.delete_many([token_cache_key(key) for key in keys])


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's own, refused (401) once ``API_TOKEN_TTL_HOURS``
    have passed since it was issued (agencies.services: a new POST to the token endpoint issues
    a new one).

    Every API call needs the caller's agency (the visibility rules, the issuing agency of what
    it creates) and its region's path, so the token is read with them in one query. That query
    was a third of a stop-payment POST's time (3.2 of 10 ms in-process, cProfile over 300
    POSTs: most of it building the four-table join), so the token, its user, agency and region
    are kept in the cache (Redis in production) for ``API_TOKEN_CACHE_SECONDS``: 0.06 ms a read.
    Every product path that changes what the cache holds drops it (agencies.signals: a token
    deleted or re-issued, its user saved, its agency saved); the expiry is checked on every call
    from the token's issue time.
    """

    def authenticate_credentials(self, key):
        from agencies.services import token_is_expired

        cache_key = token_cache_key(key)
        token = cache.get(cache_key)
        if token is None:
            token = Token.objects.select_related("user__agency__region").filter(key=key).first()
            if token is None:
                raise exceptions.AuthenticationFailed(_("令牌无效。"))
            cache.set(cache_key, token, settings.API_TOKEN_CACHE_SECONDS)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用或已删除。"))
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取（POST /api/v1/auth/token/）。"))
        return token.user, token
