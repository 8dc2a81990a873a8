from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from agencies.api.serializers import MeSerializer
from core.models import AuditEntry

from .serializers import AuditEntrySerializer


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the API token of that (service) account."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditEntryListView(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    filterset_fields = ["action", "object_type", "object_id"]

    def get_queryset(self):
        return AuditEntry.objects.restrict(self.request.user)
