"""API authentication: DRF's token scheme, with the user's agency read in the same query."""

from rest_framework import authentication
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's own.

    Every API call needs the caller's agency (the visibility rules, the issuing agency of what
    it creates) and its region's path: DRF's query reads only the user, so each call paid one
    or two more queries for them.
    """

    def authenticate_credentials(self, key):
        found = list(Token.objects.select_related("user__agency__region").filter(key=key)[:1])
        if not found or not found[0].user.is_active:
            return super().authenticate_credentials(key)  # DRF's own answer for a bad token
        return found[0].user, found[0]
