"""API authentication: DRF's token scheme, with the user's agency read in the same query."""

from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's own.

    Every API call needs the caller's agency (the visibility rules, the issuing agency of what
    it creates) and its region's path: DRF's query reads only the user, so each call paid one
    or two more queries for them.
    """

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__agency__region").get(key=key)
        except model.DoesNotExist:
            return super().authenticate_credentials(key)  # DRF's own answer for a bad token
        if not token.user.is_active:
            return super().authenticate_credentials(key)
        return token.user, token
