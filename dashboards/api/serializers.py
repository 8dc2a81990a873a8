"""Response shapes of the stats API (read-only; documented in the OpenAPI schema)."""

from rest_framework import serializers

from ..choices import AgeGroup

MONEY = {"max_digits": 18, "decimal_places": 2}


def with_from(fields: dict) -> dict:
    """Add the "from" date field ("from" is a Python keyword, so it cannot be declared)."""
    return {"from": serializers.DateField(), **fields}


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    cases = serializers.IntegerField()
    loss = serializers.DecimalField(**MONEY)
    rate = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                    help_text="cases per 10,000 residents")
    solved = serializers.IntegerField()
    victims = serializers.IntegerField()
    requests_issued = serializers.IntegerField()
    requests_completed = serializers.IntegerField()
    requests_within = serializers.IntegerField()
    requests_overdue = serializers.IntegerField()
    within_share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True,
                                            help_text="percent of completed requests completed within deadline")
    stop_count = serializers.IntegerField()
    stopped = serializers.DecimalField(**MONEY)
    freeze_count = serializers.IntegerField()
    frozen = serializers.DecimalField(**MONEY)
    returned = serializers.DecimalField(**MONEY)
    signals = serializers.IntegerField()
    dissuaded = serializers.IntegerField()
    publicity_reach = serializers.IntegerField(allow_null=True, help_text="null until the publicity app reports reach")


class ComparisonSerializer(serializers.Serializer):
    to = serializers.DateField()
    cases = serializers.IntegerField()
    loss = serializers.DecimalField(**MONEY)
    rate = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    cases_change = serializers.DecimalField(max_digits=16, decimal_places=1, allow_null=True, help_text="percent")
    loss_change = serializers.DecimalField(max_digits=16, decimal_places=1, allow_null=True, help_text="percent")
    rate_change = serializers.DecimalField(max_digits=16, decimal_places=1, allow_null=True, help_text="percent")
    notes = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text='per figure (cases, loss, rate): why its change is null: "empty" (no base) or "small" '
                  "(base under 10 cases / 10,000 yuan); null when the change is shown",
    )

    def get_fields(self):
        return with_from(super().get_fields())


class SummarySerializer(serializers.Serializer):
    region = RegionRefSerializer()
    to = serializers.DateField()
    population = serializers.IntegerField()
    figures = FiguresSerializer()
    previous = ComparisonSerializer()
    last_year = ComparisonSerializer()

    def get_fields(self):
        return with_from(super().get_fields())


class BucketSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="first day of the day/week/month")
    cases = serializers.IntegerField()
    loss = serializers.DecimalField(**MONEY)
    stopped = serializers.DecimalField(**MONEY)
    frozen = serializers.DecimalField(**MONEY)


class TypologySliceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    cases = serializers.IntegerField()
    loss = serializers.DecimalField(**MONEY)


class AgeSliceSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=AgeGroup.choices)
    label = serializers.CharField()
    victims = serializers.IntegerField()


class TimeseriesSerializer(serializers.Serializer):
    region = RegionRefSerializer()
    to = serializers.DateField()
    grain = serializers.CharField()
    series = BucketSerializer(many=True)
    typologies = TypologySliceSerializer(many=True)
    age_groups = AgeSliceSerializer(many=True)

    def get_fields(self):
        return with_from(super().get_fields())


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class LeagueRowSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="rank within the agency kind")
    within_share = serializers.FloatField(allow_null=True)


class DetailRowSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    metrics = serializers.JSONField(allow_null=True, help_text="requests by kind, p50/p95 seconds, shares, dissuasion, cases")


class PeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    weights = serializers.JSONField()
    closed = serializers.BooleanField(source="is_closed")


class AssessmentSerializer(serializers.Serializer):
    period = PeriodSerializer()
    league = LeagueRowSerializer(many=True)
    detail = DetailRowSerializer(many=True, help_text="the caller's own agency; every agency for the office")
