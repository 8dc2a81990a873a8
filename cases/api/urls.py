from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CaseViewSet, IndicatorLookupView, RingDetailView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
urlpatterns = [
    path("indicators/lookup/", IndicatorLookupView.as_view(), name="api-indicator-lookup"),
    path("rings/<int:pk>/", RingDetailView.as_view(), name="api-ring-detail"),
    *router.urls,
]
