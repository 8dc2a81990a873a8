"""Following the money on pages: "stop all" on a case (a confirmation, then one request per
receiving account), and the money tree (its own page and the partial the case page and the
live updates re-fetch)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Case, Ring
from cases.views.access import get_visible_case

from ..selectors_money import money_tree, money_tree_viewer, ring_stop_all_plans, stop_all_plan
from ..services import RequestError, requests_stop_all
from .access import error_text


@login_required
@require_http_methods(["GET", "POST"])
def stop_all(request, case_pk):
    """GET: the confirmation (each receiving account, its routed bank, the sum that reached it,
    and the accounts already under a stop-payment). POST: one stop-payment per confirmed
    account (``requests_stop_all``), back to the case page."""
    case = get_visible_case(request.user, case_pk)
    back = reverse("cases:detail", args=[case.pk]) + "#case-requests-panel"
    if request.method == "POST":
        accounts = request.POST.getlist("account")
        try:
            created = requests_stop_all(actor=request.user, case=case, accounts=accounts, http_request=request)
        except (ValidationError, RequestError) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已对 %(n)s 个收款账号发起紧急止付，正在送达各银行。") % {"n": len(created)})
        return redirect(back)
    plan = stop_all_plan(case=case)
    return render(request, "alerts/stop_all.html", {"case": case, "plan": plan, "back": back,
                                                     "nav_current": "cases:queue"})


@login_required
@require_GET
def ring_stop_all(request, pk):
    """The ring's open receiving accounts, per case and per bank; each case's "stop all" is one
    click from here (its own confirmation)."""
    ring = get_object_or_404(Ring, pk=pk)
    if not Case.objects.restrict(request.user).filter(ring=ring).exists():
        raise Http404  # a ring none of whose cases the user may see: as if it did not exist
    plans = ring_stop_all_plans(user=request.user, ring=ring)
    banks: dict = {}
    for _case, plan in plans:
        for row in plan.per_bank():
            key = row["bank"].pk if row["bank"] else None
            total = banks.setdefault(key, {"bank": row["bank"], "accounts": 0, "total": 0})
            total["accounts"] += row["accounts"]
            total["total"] += row["total"]
    return render(request, "alerts/ring_stop_all.html", {
        "ring": ring, "plans": plans, "banks": sorted(banks.values(), key=lambda r: -r["total"]),
        "nav_current": "cases:queue"})


def _tree_context(request, case_pk) -> dict:
    case = get_object_or_404(Case.objects.select_related("typology"), pk=case_pk)
    view = money_tree_viewer(user=request.user, case=case)
    if not view:
        raise Http404  # another agency's case: as if it did not exist
    return {"case": case, "tree": money_tree(user=request.user, case=case, view=view), "view": view}


@login_required
@require_GET
def tree_page(request, case_pk):
    ctx = _tree_context(request, case_pk)
    ctx["nav_current"] = "cases:queue" if ctx["view"] == "full" else "alerts:inbox"
    return render(request, "alerts/money_tree.html", ctx)


@login_required
@require_GET
def tree_partial(request, case_pk):
    """The tree alone, re-fetched by live.js on each request event of the case."""
    return render(request, "alerts/_money_tree.html", _tree_context(request, case_pk))
