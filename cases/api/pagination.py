from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CAP = 10_000


def capped_count(queryset, cap: int = COUNT_CAP) -> int:
    """COUNT over at most ``cap + 1`` rows: exact below the cap, ``cap + 1`` means "more than cap".

    An exact COUNT(*) over a million open cases costs far more than the page itself.
    """
    return queryset.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        return capped_count(self.object_list)


class CasePagination(PageNumberPagination):
    """Page numbers with a capped total (``count_capped`` true when there are more)."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count > COUNT_CAP
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema
