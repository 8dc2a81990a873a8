"""Who reaches which request page, and how a service refusal reaches the user.

Row visibility is ``Request.objects.restrict(user, action)``: a request the user's agency may
not see is a 404 on every page and action URL. Whole pages a kind of agency never uses (the
board for a bank, the deadline settings for anyone but the leadership office) are a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.policy import Forbidden, allowed

from ..models import Request
from ..selectors import LIST_RELATED
from ..services import RequestError



def get_request(user, pk, *, action: str = "view") -> Request:
    """The request if the user's agency may see it (``act``: if it may action it), else 404."""
    return get_object_or_404(Request.objects.restrict(user, action).select_related(*LIST_RELATED), pk=pk)


def can_use_board(user) -> bool:
    return allowed(user, "request.board")


def require_board(user) -> None:
    if not can_use_board(user):
        raise PermissionDenied


def can_set_deadlines(user) -> bool:
    return allowed(user, "deadline.change")


def next_url(request, default: str) -> str:
    """Where to go after a POST: the page it came from (same host only), else ``default``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return exc.message


def run_service(request, fn, success: str, back: str):
    """Call one service; a refusal or a lost race (another clerk acted first) becomes a clear
    message on the page the user returns to, never a stack trace."""
    try:
        fn()
    except Forbidden:
        raise  # the policy refused: a 403 page, like the API's 403
    except (ValidationError, RequestError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect(back)
