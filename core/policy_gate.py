"""The policy's gate at the door: every page and API call is checked against its URL's action
(``core.policy_routes``) before the view runs. Kind and role only; the services check again with
the object (``core.policy.authorize``), so tasks and imports meet the same rule.

- Pages: ``PolicyMiddleware`` (after authentication). Anonymous users pass through to the
  view, which sends them to the login page.
- API: ``PolicyPermission``, DRF's default permission class (DRF authenticates tokens inside
  the view, so a middleware would not see the API user).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .policy import Forbidden, authorize
from .policy_routes import MEMBER, PUBLIC, route_action

UNDECLARED = _("该接口未声明访问策略，已拒绝。")


def _check(user, view_name: str | None, method: str, has_handler: bool) -> None:
    action = route_action(view_name, method)
    if action in (PUBLIC, MEMBER):
        return
    if action is None:
        if has_handler:  # an endpoint nobody declared: closed until it is (the matrix test fails too)
            raise Forbidden(UNDECLARED, code="undeclared")
        return  # the view answers 405 itself
    authorize(user, action)


class PolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None:  # a DRF view: PolicyPermission decides
            return None
        match = request.resolver_match
        if match is None or not request.user.is_authenticated:
            return None
        if match.namespace == "admin" or match.view_name is None:
            return None
        _check(request.user, match.view_name, request.method, has_handler=False)
        return None


class PolicyPermission(BasePermission):
    """Authenticated, and the URL's action allowed to the caller's kind and role (403 otherwise,
    with the policy's message)."""

    def has_permission(self, request, view) -> bool:
        match = request.resolver_match
        view_name = match.view_name if match else None
        if route_action(view_name, request.method) == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        method = request.method.lower()
        actions = getattr(view, "action_map", None) or {}
        has_handler = method in actions if actions else hasattr(view, method)
        _check(request.user, view_name, request.method, has_handler=has_handler)
        return True
