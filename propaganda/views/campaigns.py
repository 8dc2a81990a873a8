from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View
from django.views.generic import ListView

from core.forms import bootstrap_widgets

from .. import access, services
from ..filtersets import CampaignFilterSet
from ..forms import CampaignForm, put_errors
from ..models import Campaign, Outreach
from ..selectors import campaign_effect
from .common import MemberMixin


class CampaignListView(MemberMixin, ListView):
    template_name = "propaganda/campaign_list.html"
    paginate_by = 30

    def get_queryset(self):
        qs = (Campaign.objects.restrict(self.request.user).select_related("owner_agency")
              .prefetch_related("target_regions", "typologies")
              .annotate(entries=Count("outreach"), reached=Sum("outreach__people_reached"))
              .order_by("-starts_on", "-id"))
        self.filterset = CampaignFilterSet(self.request.GET or None, queryset=qs)
        bootstrap_widgets(self.filterset.form, small=True)
        return self.filterset.qs if self.filterset.is_bound else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["can_plan"] = access.can_plan_campaigns(self.request.user)
        return ctx


class CampaignDetailView(MemberMixin, View):
    def get(self, request, pk):
        campaign = get_object_or_404(
            Campaign.objects.restrict(request.user).select_related("owner_agency")
            .prefetch_related("typologies", "target_regions", "agencies"), pk=pk)
        outreach = Outreach.objects.restrict(request.user).filter(campaign=campaign)
        return render(request, "propaganda/campaign_detail.html", {
            "campaign": campaign,
            "effect": campaign_effect(campaign=campaign),
            "effect_groups": campaign_effect(campaign=campaign, groups_only=True) if campaign.target_groups else None,
            "outreach": outreach.with_list_related()[:20],
            "totals": outreach.aggregate(entries=Count("id"), people=Sum("people_reached")),
            "can_edit": Campaign.objects.restrict(request.user, "change").filter(pk=pk).exists(),
        })


class CampaignFormView(MemberMixin, View):
    allowed = access.can_plan_campaigns

    def _campaign(self, request, pk):
        if pk is None:
            return None
        return get_object_or_404(Campaign.objects.restrict(request.user, "change"), pk=pk)

    def get(self, request, pk=None):
        campaign = self._campaign(request, pk)
        form = CampaignForm(instance=campaign)
        return render(request, "propaganda/campaign_form.html", {"form": form, "campaign": campaign})

    def post(self, request, pk=None):
        campaign = self._campaign(request, pk)
        form = CampaignForm(request.POST, instance=campaign)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if campaign is None:
                    campaign = services.campaign_create(actor=request.user, data=data, request=request)
                else:
                    services.campaign_update(campaign=campaign, actor=request.user, data=data, request=request)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, gettext("宣传活动已保存。"))
                return redirect("propaganda:campaign_detail", pk=campaign.pk)
        return render(request, "propaganda/campaign_form.html", {"form": form, "campaign": campaign}, status=400)
