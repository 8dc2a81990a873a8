from django.urls import path

from .views import EventListView

urlpatterns: list = [path("events/", EventListView.as_view(), name="event-list")]
