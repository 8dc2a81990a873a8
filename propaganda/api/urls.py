from rest_framework.routers import SimpleRouter

from .views import BulletinViewSet, CampaignViewSet, OutreachViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="api-campaign")
router.register("outreach", OutreachViewSet, basename="api-outreach")
router.register("bulletins", BulletinViewSet, basename="api-bulletin")
urlpatterns = router.urls
