from django.urls import path

from . import views

urlpatterns = [
    path("stats/summary/", views.SummaryView.as_view(), name="stats-summary"),
    path("stats/timeseries/", views.TimeseriesView.as_view(), name="stats-timeseries"),
    path("stats/assessment/", views.AssessmentView.as_view(), name="stats-assessment"),
]
