"""Outreach pages: the list, the phone-sized form, a day's door-to-door round, one entry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View
from django.views.generic import ListView

from core.forms import bootstrap_widgets

from .. import access, services
from ..filtersets import OutreachFilterSet
from ..forms import OutreachForm, RoundForm, StopFormSet, put_errors
from ..models import Outreach
from .common import MemberMixin


def visible_outreach(user, pk, action="view") -> Outreach:
    return get_object_or_404(Outreach.objects.restrict(user, action).with_list_related(), pk=pk)


class OutreachListView(MemberMixin, ListView):
    template_name = "propaganda/outreach_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Outreach.objects.restrict(self.request.user).with_list_related().prefetch_related("photos")
        self.filterset = OutreachFilterSet(self.request.GET or None, queryset=qs)
        bootstrap_widgets(self.filterset.form, small=True)
        return self.filterset.qs if self.filterset.is_bound else qs

    def get_context_data(self, **kwargs):
        from django.db.models import Count, Sum

        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["totals"] = self.object_list.aggregate(entries=Count("id"), people=Sum("people_reached"))
        return ctx


class OutreachCreateView(MemberMixin, View):
    allowed = access.can_log_outreach

    def get(self, request):
        return render(request, "propaganda/outreach_form.html", {"form": OutreachForm(user=request.user)})

    def post(self, request):
        form = OutreachForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            photos = data.pop("photos")
            try:
                outreach = services.outreach_create(actor=request.user, photos=photos, request=request, **data)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, gettext("已记录：%(place)s，覆盖 %(n)s 人。") % {
                    "place": outreach.place, "n": outreach.people_reached})
                return redirect("propaganda:outreach_detail", pk=outreach.pk)
        return render(request, "propaganda/outreach_form.html", {"form": form}, status=400)


class OutreachEditView(MemberMixin, View):
    def _get(self, request, pk):
        outreach = visible_outreach(request.user, pk)
        if not Outreach.objects.restrict(request.user, "change").filter(pk=pk).exists():
            raise PermissionDenied
        return outreach

    def get(self, request, pk):
        outreach = self._get(request, pk)
        initial = {f: getattr(outreach, f) for f in ("date", "place", "region", "channel", "target_group",
                                                     "people_reached", "campaign", "materials_note", "note")}
        initial["materials"] = list(outreach.materials.all())
        form = OutreachForm(initial=initial, user=request.user)
        return render(request, "propaganda/outreach_form.html", {"form": form, "outreach": outreach})

    def post(self, request, pk):
        outreach = self._get(request, pk)
        form = OutreachForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            photos = data.pop("photos")
            try:
                services.outreach_update(outreach=outreach, actor=request.user, data=data, photos=photos,
                                         request=request)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, gettext("宣传记录已更新。"))
                return redirect("propaganda:outreach_detail", pk=outreach.pk)
        return render(request, "propaganda/outreach_form.html", {"form": form, "outreach": outreach}, status=400)


class OutreachDetailView(MemberMixin, View):
    def get(self, request, pk):
        outreach = visible_outreach(request.user, pk)
        can_edit = Outreach.objects.restrict(request.user, "change").filter(pk=pk).exists()
        return render(request, "propaganda/outreach_detail.html", {
            "outreach": outreach, "photos": outreach.photos.all(), "materials": outreach.materials.all(),
            "can_edit": can_edit})


class OutreachRoundView(MemberMixin, View):
    """Bulk entry: the stops of one day's door-to-door round, saved together or not at all."""

    allowed = access.can_log_outreach
    prefix = "stops"

    def _render(self, request, form, stops, status=200):
        return render(request, "propaganda/outreach_round.html", {"form": form, "stops": stops}, status=status)

    def get(self, request):
        return self._render(request, RoundForm(user=request.user), StopFormSet(prefix=self.prefix))

    def post(self, request):
        form = RoundForm(request.POST, user=request.user)
        stops = StopFormSet(request.POST, prefix=self.prefix)
        if form.is_valid() and stops.is_valid():
            common = form.cleaned_data
            filled = stops.filled()
            rows = [{**common, **{k: f.cleaned_data[k] for k in ("place", "target_group", "people_reached")}}
                    for f in filled]
            try:
                saved = services.outreach_bulk_create(actor=request.user, rows=rows, request=request)
            except ValidationError as exc:
                for index, errors in getattr(exc, "rows", {}).items():
                    for field, messages_ in errors.items():
                        target = filled[index] if field in filled[index].fields else form
                        for message in messages_:
                            target.add_error(field if field in target.fields else None, message)
                if not getattr(exc, "rows", None):
                    put_errors(form, exc)
            else:
                messages.success(request, gettext("已保存 %(n)s 条走访记录，共覆盖 %(people)s 人。") % {
                    "n": len(saved), "people": sum(o.people_reached for o in saved)})
                return redirect("propaganda:outreach_list")
        return self._render(request, form, stops, status=400)
