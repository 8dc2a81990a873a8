from django.urls import path

from core.views import placeholder

app_name = "cases"
urlpatterns = [
    path("", placeholder, {"title": "案件研判"}, name="queue"),
]
