from django.urls import path

from core.views import placeholder

app_name = "alerts"
urlpatterns = [
    path("inbox/", placeholder, {"title": "收件箱"}, name="inbox"),
    path("tasks/", placeholder, {"title": "劝阻任务"}, name="tasks"),
    path("board/", placeholder, {"title": "协查请求"}, name="board"),
]
