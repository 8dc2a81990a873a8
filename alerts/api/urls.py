from rest_framework.routers import SimpleRouter

from .views import RequestViewSet, ReturnProposalViewSet, SignalViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("signals", SignalViewSet, basename="signal")
router.register("return-proposals", ReturnProposalViewSet, basename="return-proposal")
urlpatterns = router.urls
