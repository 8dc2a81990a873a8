"""API authentication: DRF's token scheme, with expiry, and the user's agency read in the same
query."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's own, refused (401) once ``API_TOKEN_TTL_HOURS``
    have passed since it was issued (agencies.services: a new POST to the token endpoint issues
    a new one).

    Every API call needs the caller's agency (the visibility rules, the issuing agency of what
    it creates) and its region's path: DRF's query reads only the user, so each call paid one
    or two more queries for them.
    """

    def authenticate_credentials(self, key):
        from agencies.services import token_is_expired

        token = Token.objects.select_related("user__agency__region").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用或已删除。"))
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取（POST /api/v1/auth/token/）。"))
        return token.user, token
