"""What every publicity page shares: login, a member agency, 403 for whole kinds of agency
that never use a page (rows themselves are scoped by ``restrict``: outside it, 404)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied


class MemberMixin(LoginRequiredMixin):
    """A logged-in member of an agency; ``allowed(user)`` may narrow it further."""

    allowed = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if not user.agency_id:
                raise PermissionDenied
            if self.allowed is not None and not type(self).allowed(user):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
