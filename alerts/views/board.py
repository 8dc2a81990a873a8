"""The centre's board: everything it (and the police of its region) asked for and its state,
filtered by kind, status and agency, overdue highlighted; above it the dispatch queue of
requests no rule could route, each with a form to route it by hand."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from agencies.models import Agency
from core.forms import bootstrap_widgets
from core.policy import allowed

from ..constants import BOARD_PAGE_SIZE
from ..filtersets import RequestFilterSet
from ..forms import RouteForm
from ..selectors import request_board, request_dispatch_queue
from .access import require_board


def board_page(request):
    base = request_board(user=request.user)
    filterset = RequestFilterSet(request.GET, queryset=base, request=request)
    qs = filterset.qs if filterset.is_valid() else base.none()
    bootstrap_widgets(filterset.form, small=True)
    return filterset, Paginator(qs, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))


def dispatch_rows(user) -> list | None:
    """The dispatch queue for the police who may route by hand, each request with its own
    routing form (labelled fields, only the agency kinds that can take its target); None for
    everyone else."""
    if not allowed(user, "request.route_manually"):
        return None
    reqs = list(request_dispatch_queue(user=user)[:50])
    if not reqs:
        return []
    agencies = list(Agency.objects.filter(is_active=True).order_by("kind", "code"))
    return [(req, RouteForm(target_kind=req.target_kind, agencies=agencies, auto_id="id_route%d_%%s" % req.pk))
            for req in reqs]


class BoardView(LoginRequiredMixin, View):
    def get(self, request):
        require_board(request.user)
        filterset, page = board_page(request)
        return render(request, "alerts/board.html", {
            "filter": filterset, "page_obj": page, "rows": page.object_list, "is_paginated": page.has_other_pages(), "dispatch": dispatch_rows(request.user),
            "nav_current": "alerts:board",
        })


class BoardRowsView(LoginRequiredMixin, View):
    def get(self, request):
        require_board(request.user)
        _filterset, page = board_page(request)
        return render(request, "alerts/_board_rows.html", {"rows": page.object_list})


class DispatchRowsView(LoginRequiredMixin, View):
    def get(self, request):
        require_board(request.user)
        return render(request, "alerts/_dispatch_rows.html",
                      {"dispatch": dispatch_rows(request.user)})
