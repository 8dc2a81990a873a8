from django.urls import path

from core.views import placeholder

app_name = "propaganda"
urlpatterns = [
    path("", placeholder, {"title": "反诈宣传"}, name="home"),
]
