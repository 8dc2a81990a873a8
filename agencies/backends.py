"""The authentication backend: Django's own, reading the user's agency with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AgencyModelBackend(ModelBackend):
    """Django's ``ModelBackend`` (passwords, ``is_active``), whose ``get_user`` (the session's
    user on every page request and cookie socket) joins the user's agency and its region: every
    page reads them (the policy, the visibility rules, the layout's navigation), and fetching
    the agency on first use was one more query on every request."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("agency__region").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
