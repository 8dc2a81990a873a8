from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from .choices import RoutingKeyStatus
from .filtersets import AgencyFilterSet
from .models import Agency, RoutingKey
from .selectors import agency_directory, routing_key_overlaps, sees_agency_members
from .services import _authorize_routing_key_change, routing_key_approve


class AgencyDirectoryView(LoginRequiredMixin, ListView):
    """Every member of the joint meeting: kind, region, routing keys, on-duty contact."""

    template_name = "agencies/directory.html"
    paginate_by = 100

    def get_queryset(self):
        qs = (
            Agency.objects.restrict(self.request.user)
            .select_related("region")
            .prefetch_related("routing_keys")
        )
        self.filterset = AgencyFilterSet(self.request.GET, queryset=qs)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class AgencyDetailView(LoginRequiredMixin, DetailView):
    template_name = "agencies/detail.html"

    def get_queryset(self):
        return agency_directory(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(show_members=sees_agency_members(self.request.user), **kwargs)


class PendingRoutingKeysView(LoginRequiredMixin, TemplateView):
    """The anti-fraud centre's queue of routing keys that overlap another agency's, awaiting
    approval with a reason (only a centre's analysts and supervisors reach it)."""

    template_name = "agencies/routing_keys_pending.html"

    def get(self, request, *args, **kwargs):
        _authorize_routing_key_change(request.user, None, "approve")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        keys = list(RoutingKey.objects.filter(status=RoutingKeyStatus.PENDING).select_related("agency").order_by("id"))
        for key in keys:
            key.overlapping = routing_key_overlaps(kind=key.kind, value=key.value, agency_id=key.agency_id)
        return super().get_context_data(keys=keys, **kwargs)


class RoutingKeyApproveView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        key = get_object_or_404(RoutingKey, pk=pk)
        try:
            routing_key_approve(actor=request.user, key=key, reason=request.POST.get("reason", ""), request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已批准路由键 %(value)s，即时生效。") % {"value": key.value})
        return redirect("agencies:routing_keys_pending")
