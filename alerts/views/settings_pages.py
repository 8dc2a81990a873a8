"""The leadership office's deadline settings (per request kind); returns are in ``returns``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..choices import RequestKind
from ..forms import DeadlineFormSet
from ..models import DeadlinePolicy
from ..services import deadline_minutes, deadline_policy_update


@login_required
def deadlines(request):  # the leadership office only: the policy's deadline.change, at the door
    current = {k: deadline_minutes(k) for k in RequestKind.values}
    initial = [{"kind": k, "ack_minutes": a, "complete_minutes": c} for k, (a, c) in current.items()]
    if request.method == "POST":
        formset = DeadlineFormSet(request.POST, initial=initial)
        if formset.is_valid():
            changed = 0
            for form in formset:
                d = form.cleaned_data
                if (d.get("ack_minutes"), d.get("complete_minutes")) != current[d["kind"]]:
                    deadline_policy_update(actor=request.user, kind=d["kind"], ack_minutes=d.get("ack_minutes"),
                                           complete_minutes=d.get("complete_minutes"))
                    changed += 1
            messages.success(request, _("已保存办理时限（%(n)s 项变更），新发起的请求按新时限计算。") % {"n": changed})
            return redirect("alerts:deadlines")
    else:
        formset = DeadlineFormSet(initial=initial)
    labels = dict(RequestKind.choices)
    policies = {p.kind: p for p in DeadlinePolicy.objects.select_related("updated_by")}
    rows = [{"form": f, "label": labels[f.initial["kind"]], "policy": policies.get(f.initial["kind"])} for f in formset]
    return render(request, "alerts/deadlines.html", {"formset": formset, "rows": rows, "nav_current": "alerts:deadlines"},
                  status=400 if request.method == "POST" else 200)
