"""Who may open the case pages at all, and who may write.

Row visibility is always ``Case.objects.restrict(user)``; these checks only keep whole kinds of
agency (banks, carriers, platforms, communities ...) out of pages they never use, with a 403,
and keep read-only agencies (procuratorate, court) away from the writing actions.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from agencies.choices import POLICE_KINDS, Role
from core.navigation import CASE_READERS

from ..models import Case

WRITER_ROLES = frozenset({Role.ANALYST, Role.OFFICER, Role.SUPERVISOR})


def can_read_cases(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.agency_kind in CASE_READERS)


def can_file_cases(user) -> bool:
    """Station officers and centre analysts take reports; the procuratorate and court read."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (user.agency_kind in POLICE_KINDS and user.role in WRITER_ROLES)


def is_supervisor(user) -> bool:
    return user.is_superuser or (user.agency_kind in POLICE_KINDS and user.role == Role.SUPERVISOR)


def require_reader(user) -> None:
    if not can_read_cases(user):
        raise PermissionDenied


def require_filer(user) -> None:
    if not can_file_cases(user):
        raise PermissionDenied


def visible_cases(user):
    return Case.objects.restrict(user)


def get_visible_case(user, pk, *, action: str = "view", related: tuple = ()) -> Case:
    """The case if the user may see it (404 otherwise: its existence is not disclosed)."""
    require_reader(user)
    return get_object_or_404(Case.objects.restrict(user, action).select_related(*related), pk=pk)


class CaseReaderMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_reader(request.user)
        return super().dispatch(request, *args, **kwargs)


class CaseFilerMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_filer(request.user)
        return super().dispatch(request, *args, **kwargs)
