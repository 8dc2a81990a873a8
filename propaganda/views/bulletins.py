"""Bulletin pages: the centre drafts, edits, publishes and watches receipts; members read
them in an inbox that updates live (live.js re-fetches the rows on ``bulletin.`` events)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.http import require_POST

from .. import access, services
from ..choices import BulletinStatus
from ..forms import BulletinForm, DraftForm, put_errors
from ..models import Bulletin, BulletinReceipt
from .common import MemberMixin


def _inbox(user):
    """Published bulletins delivered to the user's agency, each with its receipt."""
    return (BulletinReceipt.objects.filter(agency_id=user.agency_id, bulletin__status=BulletinStatus.PUBLISHED)
            .select_related("bulletin", "bulletin__agency").order_by("-bulletin__published_at", "-id")[:50])


class BulletinListView(MemberMixin, View):
    def get(self, request):
        user = request.user
        issued = None
        if access.can_issue_bulletins(user):
            issued = Bulletin.objects.restrict(user, "change").order_by("-week_start")[:30]
        return render(request, "propaganda/bulletin_list.html", {
            "issued": issued, "inbox": _inbox(user), "can_issue": access.can_issue_bulletins(user),
            "draft_form": DraftForm(initial={"week_start": timezone.localdate() - timedelta(days=7)}),
        })


class InboxRowsView(MemberMixin, View):
    def get(self, request):
        return render(request, "propaganda/_inbox_rows.html", {"inbox": _inbox(request.user)})


class BulletinDetailView(MemberMixin, View):
    def get(self, request, pk):
        bulletin = get_object_or_404(Bulletin.objects.restrict(request.user).select_related("agency"), pk=pk)
        receipt = services.bulletin_open(bulletin=bulletin, user=request.user)
        return render(request, "propaganda/bulletin_detail.html", {
            "bulletin": bulletin, "receipt": receipt,
            "can_edit": Bulletin.objects.restrict(request.user, "change").filter(pk=pk).exists(),
        })


class BulletinEditView(MemberMixin, View):
    allowed = access.can_issue_bulletins

    def _get(self, request, pk):
        return get_object_or_404(Bulletin.objects.restrict(request.user, "change"), pk=pk,
                                 status=BulletinStatus.DRAFT)

    def get(self, request, pk):
        bulletin = self._get(request, pk)
        form = BulletinForm(initial={"title": bulletin.title, "body": bulletin.body, "advice": bulletin.advice})
        return render(request, "propaganda/bulletin_form.html", {"form": form, "bulletin": bulletin})

    def post(self, request, pk):
        bulletin = self._get(request, pk)
        form = BulletinForm(request.POST)
        if form.is_valid():
            try:
                services.bulletin_update(bulletin=bulletin, actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, gettext("通报已保存。"))
                return redirect("propaganda:bulletin_detail", pk=pk)
        return render(request, "propaganda/bulletin_form.html", {"form": form, "bulletin": bulletin}, status=400)


@login_required
@require_POST
def bulletin_draft_view(request):
    if not access.can_issue_bulletins(request.user):
        raise PermissionDenied
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择通报周。"))
        return redirect("propaganda:bulletin_list")
    try:
        bulletin = services.bulletin_draft(actor=request.user, week_start=form.cleaned_data["week_start"],
                                           request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("propaganda:bulletin_list")
    messages.success(request, gettext("已根据该周案件生成通报草稿，请核对后发布。"))
    return redirect("propaganda:bulletin_edit", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_publish_view(request, pk):
    bulletin = get_object_or_404(Bulletin.objects.restrict(request.user, "change"), pk=pk)
    try:
        services.bulletin_publish(bulletin=bulletin, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("propaganda:bulletin_detail", pk=pk)
    except PermissionDenied:
        raise
    messages.success(request, gettext("通报已发布，各成员单位已实时收到。"))
    return redirect("propaganda:bulletin_receipts", pk=pk)


def _receipts(user, bulletin):
    return (BulletinReceipt.objects.restrict(user).filter(bulletin=bulletin).select_related("agency", "opened_by")
            .order_by("-opened_at", "agency__kind", "agency__name"))


class ReceiptsView(MemberMixin, View):
    """Who received the bulletin and who has not opened it (issuing centre and the office)."""

    def _get(self, request, pk):
        bulletin = get_object_or_404(Bulletin.objects.restrict(request.user), pk=pk)
        if not (bulletin.agency_id == request.user.agency_id or access.is_office(request.user)):
            raise PermissionDenied
        return bulletin

    def get(self, request, pk):
        bulletin = self._get(request, pk)
        receipts = list(_receipts(request.user, bulletin))
        template = "propaganda/_receipt_rows.html" if request.GET.get("partial") else "propaganda/bulletin_receipts.html"
        return render(request, template, {
            "bulletin": bulletin, "receipts": receipts,
            "unopened": [r for r in receipts if r.opened_at is None],
        })
