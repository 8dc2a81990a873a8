from django.urls import path
from rest_framework.routers import SimpleRouter

from . import work
from .views import CaseViewSet, IndicatorLookupView, RingDetailView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
urlpatterns = [
    path("indicators/lookup/", IndicatorLookupView.as_view(), name="api-indicator-lookup"),
    path("rings/<int:pk>/", RingDetailView.as_view(), name="api-ring-detail"),
    path("cases/<int:case_pk>/notes/", work.CaseNotesView.as_view(), name="api-case-notes"),
    path("cases/<int:case_pk>/evidence/", work.CaseEvidenceView.as_view(), name="api-case-evidence"),
    path("cases/<int:case_pk>/evidence/<int:pk>/download/", work.CaseEvidenceDownloadView.as_view(),
         name="api-case-evidence-download"),
    path("cases/<int:case_pk>/tasks/", work.CaseTasksView.as_view(), name="api-case-tasks"),
    path("cases/<int:case_pk>/tasks/<int:pk>/done/", work.CaseTaskDoneView.as_view(), name="api-case-task-done"),
    path("tasks/mine/", work.MyTasksView.as_view(), name="api-my-tasks"),
    *router.urls,
]
