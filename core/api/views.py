from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.serializers import MeSerializer
from agencies.models import User
from agencies.services import token_expires_at, token_issue, token_revoke
from core.models import AuditEntry
from core.throttling import LoginRateThrottle

from .serializers import AuditEntrySerializer


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the API token of that (service) account."""

    throttle_classes = [LoginRateThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if serializer.is_valid():
            token = token_issue(user=serializer.validated_data["user"])
            return Response({"token": token.key, "expires_at": token_expires_at(token)})
        # django-axes counted this failure (DRF hands authenticate() the request); once the
        # limit is reached it refuses even the right password, so say so instead of "wrong".
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response({"detail": _("登录失败次数过多，账号已临时锁定。请 15 分钟后再试，或联系本单位管理员。")},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        raise ValidationError(serializer.errors)


class TokenRevokeSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, help_text=gettext_lazy("省略时吊销自己的令牌；单位管理员可吊销本单位用户的令牌。"))


class RevokeTokenView(APIView):
    """Revoke an API token: the caller's own, or (agency admins) one of their agency's users'.
    The user's open sockets that used it close; a new POST to the token endpoint issues a new one."""

    @extend_schema(request=TokenRevokeSerializer, responses={200: None})
    def post(self, request):
        serializer = TokenRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data.get("username")
        if not username or username == request.user.get_username():
            user = request.user
        else:
            # The same rule as the admin site: agency admins change their own agency's users.
            user = User.objects.restrict(request.user, "change").filter(username=username).first()
            if user is None:
                raise NotFound(_("没有这个用户，或您无权管理该用户。"))
        revoked = token_revoke(user=user, actor=request.user, request=request)
        return Response({"username": user.get_username(), "revoked": revoked})


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditEntryListView(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    filterset_fields = ["action", "object_type", "object_id"]

    def get_queryset(self):
        return AuditEntry.objects.restrict(self.request.user)
