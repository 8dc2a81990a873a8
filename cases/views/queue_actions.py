"""The queue's actions: saved filters (per user), bulk assign and bulk share."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views import View

from core.policy import allowed

from ..forms import AssignForm, ShareForm
from ..services_queue import case_bulk_assign, case_bulk_share, saved_filter_delete, saved_filter_save
from ..validation import error_text
from .access import CaseReaderMixin


def bulk_context(user) -> dict:
    """The bulk bar's forms, for users who may change cases."""
    if not allowed(user, "case.change"):
        return {"can_bulk": False}
    # Two actions in one form: neither select is required of the browser (the view checks).
    return {"can_bulk": True, "bulk_assign_form": AssignForm(user=user, auto_id="bulk_%s", use_required_attribute=False),
            "bulk_share_form": ShareForm(auto_id="bulk_%s", use_required_attribute=False)}


def _back(request) -> str:
    """The queue with the filters the action was taken under."""
    query = request.POST.get("query", "")
    return reverse("cases:queue") + ("?" + query if query else "")


class SavedFilterSaveView(CaseReaderMixin, View):
    def post(self, request):
        try:
            saved = saved_filter_save(user=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", ""))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(_back(request))
        messages.success(request, _t("已保存筛选“%(name)s”。") % {"name": saved.name})
        return redirect(reverse("cases:queue") + ("?" + saved.query if saved.query else ""))


class SavedFilterDeleteView(CaseReaderMixin, View):
    def post(self, request, pk):
        if not saved_filter_delete(user=request.user, pk=pk):
            raise Http404
        messages.success(request, _t("已删除保存的筛选。"))
        return redirect(_back(request))


class BulkActionView(CaseReaderMixin, View):
    """POST ``cases`` (ids), ``action`` = assign (``assignee`` or ``to_me``) or share (``agency``)."""

    def post(self, request):
        try:
            ids = [int(v) for v in request.POST.getlist("cases")]
        except ValueError:
            ids = []
        action = request.POST.get("action")
        try:
            if action == "assign":
                if request.POST.get("to_me"):
                    assignee = request.user
                else:
                    form = AssignForm(request.POST, user=request.user)
                    if not form.is_valid():
                        raise ValidationError(_t("请选择本单位的人员。"))
                    assignee = form.cleaned_data["assignee"]
                n = case_bulk_assign(user=request.user, case_ids=ids, assignee=assignee, request=request)
                messages.success(request, _t("已将 %(n)s 起案件指派给 %(name)s。")
                                 % {"n": n, "name": assignee.get_full_name() or assignee.username})
            elif action == "share":
                form = ShareForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_t("请选择共享单位。"))
                agency = form.cleaned_data["agency"]
                n = case_bulk_share(user=request.user, case_ids=ids, agency=agency, request=request)
                messages.success(request, _t("已将 %(n)s 起案件共享给 %(agency)s。") % {"n": n, "agency": agency.name})
            else:
                raise ValidationError(_t("未知的操作。"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _t("您无权执行此操作。"))
        return redirect(_back(request))
