from django.urls import path

from core.views import placeholder

app_name = "dashboards"
urlpatterns = [
    path("", placeholder, {"title": "领导驾驶舱"}, name="home"),
]
