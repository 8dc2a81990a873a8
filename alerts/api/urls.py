from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MoneyTreeView, RequestViewSet, ReturnProposalViewSet, SignalViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("signals", SignalViewSet, basename="signal")
router.register("return-proposals", ReturnProposalViewSet, basename="return-proposal")
urlpatterns = [
    *router.urls,
    path("money-trees/<int:case_pk>/", MoneyTreeView.as_view(), name="api-money-tree"),
]
