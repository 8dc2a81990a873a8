from django.urls import path

from .views import bulletins, campaigns, communities, content, home, outreach, targeting

app_name = "propaganda"
urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", campaigns.CampaignFormView.as_view(), name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.CampaignFormView.as_view(), name="campaign_edit"),
    path("outreach/", outreach.OutreachListView.as_view(), name="outreach_list"),
    path("outreach/new/", outreach.OutreachCreateView.as_view(), name="outreach_new"),
    path("outreach/round/", outreach.OutreachRoundView.as_view(), name="outreach_round"),
    path("outreach/<int:pk>/", outreach.OutreachDetailView.as_view(), name="outreach_detail"),
    path("outreach/<int:pk>/edit/", outreach.OutreachEditView.as_view(), name="outreach_edit"),
    path("library/", content.ContentListView.as_view(), name="content_list"),
    path("library/new/", content.ContentCreateView.as_view(), name="content_new"),
    path("library/<int:pk>/<str:decision>/", content.content_review_view, name="content_review"),
    path("bulletins/", bulletins.BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/_inbox/", bulletins.InboxRowsView.as_view(), name="bulletin_inbox_rows"),
    path("bulletins/draft/", bulletins.bulletin_draft_view, name="bulletin_draft"),
    path("bulletins/<int:pk>/", bulletins.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletins.BulletinEditView.as_view(), name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish_view, name="bulletin_publish"),
    path("bulletins/<int:pk>/receipts/", bulletins.ReceiptsView.as_view(), name="bulletin_receipts"),
    path("targeting/", targeting.TargetingView.as_view(), name="targeting"),
    path("communities/", communities.CommunitiesView.as_view(), name="communities"),
    path("communities/criteria/", communities.criteria_view, name="criteria"),
    path("communities/apply/", communities.apply_view, name="apply"),
    path("communities/<int:pk>/<str:decision>/", communities.decide_view, name="decide"),
]
