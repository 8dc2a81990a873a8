from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from django.views.generic import TemplateView

from .. import access
from ..models import BulletinReceipt, Campaign, Outreach
from ..selectors import region_ranking
from .common import MemberMixin


class HomeView(MemberMixin, TemplateView):
    """Where each member starts: what they did, what is running, what is unread, where to aim."""

    template_name = "propaganda/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        month_ago = today - timedelta(days=30)
        mine = Outreach.objects.restrict(user).filter(agency_id=user.agency_id)
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            recent=mine.with_list_related()[:5],
            reached_30d=mine.filter(date__gte=month_ago).aggregate(n=Sum("people_reached"))["n"] or 0,
            campaigns=Campaign.objects.restrict(user).filter(starts_on__lte=today, ends_on__gte=today)[:6],
            unread=BulletinReceipt.objects.filter(agency_id=user.agency_id, opened_at__isnull=True).count(),
            can_plan=access.can_plan_campaigns(user),
            can_issue=access.can_issue_bulletins(user),
            sees_targeting=access.sees_targeting(user),
        )
        if ctx["sees_targeting"]:
            ctx["gaps"] = [r for r in region_ranking(since=month_ago, until=today) if r.under_covered][:5]
        return ctx
