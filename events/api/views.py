"""Polling for agency systems: the same stored events the WebSocket replays."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import MAX_BATCH, events_since
from .serializers import EventPageSerializer


class EventListView(APIView):
    """Events addressed to the caller's agency (and role) with id > ``since``, oldest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="Last event id already seen (0 for all)."),
            OpenApiParameter("limit", int, description="At most this many (1-%d, default 100)." % MAX_BATCH),
        ],
        responses={200: EventPageSerializer},
    )
    def get(self, request):
        try:
            since = int(request.query_params.get("since", 0))
            limit = int(request.query_params.get("limit", 100))
            if since < 0 or limit < 1:
                raise ValueError
        except ValueError:
            # The one error body (core/api/exceptions.py): {"detail", "code", "errors"}.
            raise ValidationError({"since": [_("since 与 limit 必须是非负整数")]}) from None
        if not getattr(request.user, "agency_id", None):
            return Response({"results": [], "last_id": since, "more": False})
        limit = min(limit, MAX_BATCH)
        rows = events_since(user=request.user, since=since, limit=limit)
        data = {"results": rows, "last_id": rows[-1].id if rows else since, "more": len(rows) == limit}
        return Response(EventPageSerializer(data).data)
