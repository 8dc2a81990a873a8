from rest_framework.routers import SimpleRouter

from .views import RequestViewSet, SignalViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("signals", SignalViewSet, basename="signal")
urlpatterns = router.urls
