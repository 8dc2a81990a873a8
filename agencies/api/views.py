from rest_framework import viewsets

from agencies.filtersets import AgencyFilterSet
from agencies.selectors import agency_directory

from .serializers import AgencySerializer


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The member directory with routing keys and on-duty contacts."""

    serializer_class = AgencySerializer
    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a query error
    filterset_class = AgencyFilterSet

    def get_queryset(self):
        return agency_directory(self.request.user)
