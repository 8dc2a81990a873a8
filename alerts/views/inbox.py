"""The receiving agency's inbox (bank, payment institution, carrier, platform): pending first,
a countdown to each deadline, acknowledge in one click. Rows re-render live (live.js)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from ..choices import RequestStatus
from ..constants import INBOX_PAGE_SIZE
from ..selectors import request_inbox

PENDING = (RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED)


def inbox_page(request):
    qs = request_inbox(user=request.user)
    show_all = request.GET.get("show") == "all"
    if not show_all:
        qs = qs.filter(status__in=PENDING)
    return show_all, Paginator(qs, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))


def pending_count(user) -> int:
    return request_inbox(user=user).filter(status__in=PENDING).count()


class InboxView(LoginRequiredMixin, View):
    def get(self, request):
        show_all, page = inbox_page(request)
        return render(request, "alerts/inbox.html", {
            "page_obj": page, "rows": page.object_list, "show_all": show_all, "is_paginated": page.has_other_pages(),
            "pending": pending_count(request.user), "nav_current": "alerts:inbox",
        })


class InboxRowsView(LoginRequiredMixin, View):
    """The rows alone, re-fetched by live.js when a request event arrives."""

    def get(self, request):
        _show_all, page = inbox_page(request)
        return render(request, "alerts/_inbox_rows.html", {"rows": page.object_list})


class InboxCountView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "alerts/_inbox_count.html", {"pending": pending_count(request.user)})
