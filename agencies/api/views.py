from rest_framework import viewsets

from agencies.filtersets import AgencyFilterSet
from agencies.selectors import agency_directory

from .serializers import AgencySerializer


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The member directory with routing keys and on-duty contacts."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet

    def get_queryset(self):
        return agency_directory(self.request.user)
