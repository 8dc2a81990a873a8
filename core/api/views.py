from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.serializers import MeSerializer
from core.models import AuditEntry
from core.throttling import LoginRateThrottle

from .serializers import AuditEntrySerializer


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the API token of that (service) account."""

    throttle_classes = [LoginRateThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if serializer.is_valid():
            token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
            return Response({"token": token.key})
        # django-axes counted this failure (DRF hands authenticate() the request); once the
        # limit is reached it refuses even the right password, so say so instead of "wrong".
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response({"detail": _("登录失败次数过多，账号已临时锁定。请 15 分钟后再试，或联系本单位管理员。")},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        raise ValidationError(serializer.errors)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditEntryListView(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    filterset_fields = ["action", "object_type", "object_id"]

    def get_queryset(self):
        return AuditEntry.objects.restrict(self.request.user)
