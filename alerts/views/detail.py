"""One request's page and its moves. The receiving side sees the minimal view (case number,
typology, amount, target, requesting officer) and never a victim; the issuing side sees the
routing, the results and the follow-ons. Every move goes through the services, which lock the
row: of two clerks acting at once one wins and the other is told so here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.policy import allowed

from ..constants import MONEY_KINDS
from ..forms import CompleteForm, OnwardTransferFormSet, RejectForm, ReleaseForm, RouteForm
from ..services import (
    RequestError,
    request_acknowledge,
    request_complete,
    request_extend,
    request_not_subscriber,
    request_reject,
    request_release,
    request_route_manually,
)
from ..transitions import MOVES, can_move
from .access import get_request, next_url, run_service


def is_receiver(user, req) -> bool:
    """True when the user's agency sees this request as its receiver (the minimal view)."""
    agency = user.agency_id
    return agency in (req.target_agency_id, req.secondary_agency_id) and agency != req.issuing_agency_id


def detail_context(request, req, *, complete_form=None, formset=None) -> dict:
    user = request.user
    receiver = is_receiver(user, req)
    moves = {name: can_move(user, req, name) for name in MOVES if MOVES[name].side != "system"}
    money = req.kind in MONEY_KINDS
    ctx = {
        "req": req, "receiver": receiver, "moves": moves, "money": money,
        "transfers": req.onward_transfers.select_related("follow_on__target_agency").all(),
        # What the request covers: time, amount, reference (the bank finds the incoming
        # payment by them); never who paid.
        "covered": req.transactions.order_by("occurred_at", "pk") if money else (),
        "reject_form": RejectForm(), "release_form": ReleaseForm(),
        "nav_current": "alerts:inbox" if receiver else "alerts:board",
    }
    if moves["complete"]:
        ctx["complete_form"] = complete_form or CompleteForm(money=money, kind=req.kind)
        ctx["formset"] = formset or (OnwardTransferFormSet(prefix="onward") if money else None)
        if request.GET.get("work") and complete_form is None:
            # From the inbox's "acknowledge and handle": the clerk types straight away.
            fields = ctx["complete_form"].fields
            first = "amount_secured" if "amount_secured" in fields else next(iter(fields), None)
            if first:
                fields[first].widget.attrs["autofocus"] = True
    ctx["claimable"] = receiver and req.is_open and allowed(user, "request.claim", req)
    if not receiver:
        ctx["follow_ons"] = req.follow_ons.select_related("target_agency").order_by("created_at")
        ctx["route_form"] = RouteForm(target_kind=req.target_kind) if moves["route_manually"] and req.needs_manual_routing else None
    if req.kind == "fund_return":  # to whom, which instalment: the victim masked for the bank
        from ..payloads import return_view

        ctx["return_info"] = return_view(req, masked=receiver)
    if req.kind == "dissuasion":
        ctx["signals"] = req.signals.select_related("source_agency").order_by("received_at")
    return ctx


@login_required
@require_GET
def request_detail(request, pk):
    req = get_request(request.user, pk)
    return render(request, "alerts/request_detail.html", detail_context(request, req))


def _detail(pk) -> str:
    return reverse("alerts:detail", args=[pk])


@login_required
@require_POST
def acknowledge(request, pk):
    req = get_request(request.user, pk, action="act")
    return run_service(
        request, lambda: request_acknowledge(request_id=req.pk, actor=request.user, claim=request.POST.get("claim") == "1",
                                             http_request=request),
        _("已签收 %(number)s。") % {"number": req.number}, next_url(request, _detail(req.pk)),
    )


@login_required
@require_POST
def complete(request, pk):
    req = get_request(request.user, pk, action="act")
    money = req.kind in MONEY_KINDS
    form = CompleteForm(request.POST, money=money, kind=req.kind)
    formset = OnwardTransferFormSet(request.POST, prefix="onward") if money else None
    valid = [form.is_valid(), formset is None or formset.is_valid()]
    if all(valid):
        onward = [f.service_row() for f in (formset or []) if f.cleaned_data and not f.cleaned_data.get("empty")]
        try:
            request_complete(request_id=req.pk, actor=request.user, onward_transfers=onward, http_request=request,
                             **form.service_kwargs())
        except ValidationError as exc:
            # Each refusal beside the field it is about; what was typed stays in the form.
            for field, errors in (exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]):
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except RequestError as exc:
            messages.error(request, exc.message)
            return redirect(_detail(req.pk))
        else:
            messages.success(request, _("已办结 %(number)s。") % {"number": req.number})
            if onward:
                messages.info(request, _("已对 %(n)s 笔资金转出自动发起续查止付。") % {"n": len(onward)})
            return redirect(_detail(req.pk))
    req.refresh_from_db()
    ctx = detail_context(request, req, complete_form=form, formset=formset)
    return render(request, "alerts/request_detail.html", ctx, status=400)


@login_required
@require_POST
def reject(request, pk):
    req = get_request(request.user, pk, action="act")
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回理由。"))
        return redirect(_detail(req.pk))
    return run_service(
        request,
        lambda: request_reject(request_id=req.pk, actor=request.user, reason=form.cleaned_data["reason"],
                               http_request=request),
        _("已退回 %(number)s。") % {"number": req.number}, next_url(request, reverse("alerts:inbox")),
    )


@login_required
@require_POST
def not_subscriber(request, pk):
    req = get_request(request.user, pk, action="act")
    return run_service(
        request, lambda: request_not_subscriber(request_id=req.pk, actor=request.user, http_request=request),
        _("已答复非本网用户，%(number)s 将转给下一家运营商。") % {"number": req.number}, reverse("alerts:inbox"),
    )


@login_required
@require_POST
def extend(request, pk):
    req = get_request(request.user, pk)
    return run_service(
        request, lambda: request_extend(request_id=req.pk, actor=request.user, http_request=request),
        _("%(number)s 已延期/续冻。") % {"number": req.number}, _detail(req.pk),
    )


@login_required
@require_POST
def release(request, pk):
    req = get_request(request.user, pk)
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_service(
        request, lambda: request_release(request_id=req.pk, actor=request.user, reason=reason, http_request=request),
        _("%(number)s 已解冻。") % {"number": req.number}, _detail(req.pk),
    )


@login_required
@require_POST
def route(request, pk):
    """Route by hand from the dispatch queue (board or request page)."""
    req = get_request(request.user, pk)
    form = RouteForm(request.POST, target_kind=req.target_kind)
    back = next_url(request, reverse("alerts:board"))
    if not form.is_valid():
        messages.error(request, _("请选择可接收该目标的单位（账户给银行，号码给运营商，网址给互联网企业）。"))
        return redirect(back)
    data = form.cleaned_data
    return run_service(
        request,
        lambda: request_route_manually(request_id=req.pk, actor=request.user, target_agency=data["target_agency"],
                                       secondary_agency=data.get("secondary_agency"), reason=data.get("reason") or "",
                                       http_request=request),
        _("%(number)s 已分派给 %(agency)s。") % {"number": req.number, "agency": data["target_agency"].name}, back,
    )


@login_required
@require_GET
def legal_notice(request, pk):
    """The freeze's legal notice, for the two sides of the request only (404 for anyone else)."""
    from django.http import Http404

    from core.choices import AuditAction
    from core.services import audit_record
    from core.views import private_file_response

    req = get_request(request.user, pk)
    if not req.legal_notice_file:
        raise Http404
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=req, detail={"file": "legal_notice"}, request=request)
    return private_file_response(req.legal_notice_file, content_type="application/pdf",
                                 filename="%s.pdf" % req.legal_notice_number)
