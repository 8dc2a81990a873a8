"""core.db.AnyOf (``field__any_of=values``): the rows ``__in`` finds, with one array parameter on
PostgreSQL, so that a PreparedQuery prepares it once whatever the number of values."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import RoutingKey
from core.db import PreparedQuery


def test_any_of_finds_what_in_finds_and_is_prepared_once_for_any_number_of_values(demo):
    values = list(RoutingKey.objects.values_list("value", flat=True)[:5])
    assert len(values) == 5
    wanted = [values[0], values[3], "no-such-value"]
    expected = sorted(RoutingKey.objects.filter(value__in=wanted).values_list("pk", flat=True))
    assert sorted(RoutingKey.objects.filter(value__any_of=wanted).values_list("pk", flat=True)) == expected
    assert not RoutingKey.objects.filter(value__any_of=[]).exists()

    all_five = list(RoutingKey.objects.filter(value__in=values).order_by("pk").values_list("value", flat=True))
    lookup = PreparedQuery(lambda values: RoutingKey.objects.filter(value__any_of=values).order_by("pk"), "values")
    with CaptureQueriesContext(connection) as q:
        assert [key.pk for key in lookup(values=wanted)] == expected
        assert [key.value for key in lookup(values=values)] == all_five
        assert lookup(values=[]) == []
    sent = [s["sql"] for s in q.captured_queries]
    assert sent[0].startswith("PREPARE ") and "= ANY($1)" in sent[0]
    assert len(sent) == 3 and all(sql.startswith("EXECUTE ") for sql in sent[1:])
