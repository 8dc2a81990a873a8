from rest_framework import viewsets

from agencies.filtersets import AgencyFilterSet
from agencies.models import Agency

from .serializers import AgencySerializer


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The member directory with routing keys and on-duty contacts."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet

    def get_queryset(self):
        return (
            Agency.objects.restrict(self.request.user)
            .select_related("region")
            .prefetch_related("routing_keys")
        )
