from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("_figures/", views.DashboardFiguresView.as_view(), name="figures"),
    path("hotspots/", views.HotSpotsView.as_view(), name="hotspots"),
    path("rectifications/new/", views.rectification_list_view, name="rectification_new"),
    path("rectifications/<int:pk>/", views.RectificationView.as_view(), name="rectification"),
    path("rectifications/<int:pk>/delist/", views.rectification_delist_view, name="rectification_delist"),
    path("league/", views.LeagueView.as_view(), name="league"),
    path("league/weights/", views.weights_view, name="weights"),
    path("assessment/", views.own_assessment, name="own_assessment"),
    path("assessment/<slug:code>/", views.AgencyAssessmentView.as_view(), name="agency"),
    path("assessment/<slug:code>/<slug:indicator>/", views.AssessmentItemsView.as_view(), name="agency_items"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report.xlsx", views.ReportXlsxView.as_view(), name="report_xlsx"),
]
