"""The receiving agency's inbox (bank, payment institution, carrier, platform): open requests
first, by the deadline that matters now, with a countdown; search and filters (the same
FilterSet as the API's list); "acknowledge and handle" in one click; claims, so that two
clerks do not work one request; acknowledge several at once; export (alerts.views.export).
Rows re-render live (live.js)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from core.policy import Forbidden

from ..choices import RequestStatus
from ..constants import INBOX_PAGE_SIZE
from ..filtersets import OneOfMany, RequestFilterSet
from ..selectors import request_inbox
from ..services import RequestError, request_claim, request_unclaim, requests_acknowledge_many
from .access import error_text, get_request, next_url, run_service

PENDING = (RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED)
# The inbox's filters: the board's direction and agency mean nothing to a receiver.
INBOX_FILTERS = ("q", "kind", "status", "overdue", "claim")


def inbox_filterset(request):
    """The inbox's rows, filtered by the shared FilterSet; open ones only unless the clerk
    asked for all (``show=all``) or for a status."""
    base = request_inbox(user=request.user)
    filterset = RequestFilterSet(request.GET, queryset=base, request=request)
    form = filterset.form
    form.fields = {name: form.fields[name] for name in INBOX_FILTERS}  # search first
    for name in ("kind", "status"):
        field = form.fields[name]
        field.widget = OneOfMany(choices=[("", _("全部")), *field.choices])
    for name, field in form.fields.items():
        css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
        field.widget.attrs.setdefault("class", css)
    form.fields["q"].widget.attrs.setdefault("placeholder", _("账号、号码、请求编号或案件编号"))
    qs = filterset.qs if filterset.is_valid() else base.none()
    show_all = request.GET.get("show") == "all" or any(request.GET.getlist("status"))
    if not show_all:
        qs = qs.filter(status__in=PENDING)
    return filterset, show_all, qs


def inbox_page(request):
    filterset, show_all, qs = inbox_filterset(request)
    return filterset, show_all, Paginator(qs, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))


def pending_count(user) -> int:
    return request_inbox(user=user).filter(status__in=PENDING).count()


class InboxView(LoginRequiredMixin, View):
    def get(self, request):
        filterset, show_all, page = inbox_page(request)
        return render(request, "alerts/inbox.html", {
            "filter": filterset, "page_obj": page, "rows": page.object_list, "show_all": show_all,
            "is_paginated": page.has_other_pages(), "pending": pending_count(request.user),
            "nav_current": "alerts:inbox", "query": request.GET.urlencode(),
        })


class InboxRowsView(LoginRequiredMixin, View):
    """The rows alone, re-fetched by live.js when a request event arrives."""

    def get(self, request):
        _filterset, _show_all, page = inbox_page(request)
        return render(request, "alerts/_inbox_rows.html", {"rows": page.object_list})


class InboxCountView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "alerts/_inbox_count.html", {"pending": pending_count(request.user)})


@login_required
@require_POST
def bulk_acknowledge(request):
    """Acknowledge the ticked rows in one service call; what could not be is said, row by row."""
    ids = request.POST.getlist("ids")
    back = next_url(request, reverse("alerts:inbox"))
    if not ids:
        messages.warning(request, _("请先勾选要签收的请求。"))
        return redirect(back)

    try:
        result = requests_acknowledge_many(request_ids=ids, actor=request.user, http_request=request)
    except Forbidden:
        raise  # the policy refused: a 403 page, like the API's 403
    except RequestError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    if result["acknowledged"]:
        messages.success(request, _("已批量签收 %(n)s 件。") % {"n": len(result["acknowledged"])})
    for item in result["skipped"]:
        if item["code"] != "not_found":
            messages.warning(request, "%s：%s" % (item["number"], item["message"]))
    return redirect(back)


@login_required
@require_POST
def claim(request, pk):
    """Claim (or, with ``take_over``, take over) a request; then back where the clerk was."""
    req = get_request(request.user, pk, action="act")
    take_over = request.POST.get("take_over") == "1"
    success = (_("已接手 %(number)s。") if take_over else _("已认领 %(number)s。")) % {"number": req.number}
    return run_service(
        request, lambda: request_claim(request_id=req.pk, actor=request.user, take_over=take_over, http_request=request),
        success, next_url(request, reverse("alerts:inbox")),
    )


@login_required
@require_POST
def unclaim(request, pk):
    req = get_request(request.user, pk, action="act")
    return run_service(
        request, lambda: request_unclaim(request_id=req.pk, actor=request.user, http_request=request),
        _("已放弃认领 %(number)s。") % {"number": req.number}, next_url(request, reverse("alerts:inbox")),
    )
