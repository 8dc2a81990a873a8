"""Who may open the case pages at all, and who may write.

Row visibility is always ``Case.objects.restrict(user)``; these checks only keep whole kinds of
agency (banks, carriers, platforms, communities ...) out of pages they never use, with a 403,
and keep read-only agencies (procuratorate, court) away from the writing actions.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.policy import allowed

from ..models import Case



def can_read_cases(user) -> bool:
    return allowed(user, "case.view")


def can_file_cases(user) -> bool:
    """Station officers and centre analysts take reports; the procuratorate and court read."""
    return allowed(user, "case.create")


def is_supervisor(user) -> bool:
    return allowed(user, "case.prioritise")


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
