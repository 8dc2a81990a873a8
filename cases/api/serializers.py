from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from rest_framework import serializers

from agencies.models import Region
from core.datetimes import BoundedDateTimeField

from ..choices import CaseStatus, CloseReason, Gender, IndicatorKind, IndicatorRole, PayeeKind, PaymentChannel
from ..masking import mask_account, mask_id_number, mask_phone
from ..models import Case, CaseEvent, CaseIndicator, Ring, Transaction, Typology, Victim
from ..normalize import validate_id_number


class RingBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ring
        fields = ["id", "case_count", "total_loss", "first_occurred_at", "last_occurred_at"]
        read_only_fields = fields


class CaseListSerializer(serializers.ModelSerializer):
    typology = serializers.SlugRelatedField(slug_field="code", read_only=True)
    typology_name = serializers.CharField(source="typology.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    reporting_agency_name = serializers.CharField(source="reporting_agency.name", read_only=True)
    ring = RingBriefSerializer(read_only=True)
    assigned_to = serializers.CharField(source="assigned_to.username", read_only=True, default=None)

    class Meta:
        model = Case
        fields = [
            "id", "number", "reported_at", "occurred_at", "reporting_agency", "reporting_agency_name",
            "region", "region_name", "typology", "typology_name", "loss_amount", "payment_channel",
            "status", "priority", "priority_computed", "priority_override_reason", "ring", "assigned_to",
            "possible_duplicate_of", "close_reason", "merged_into",
        ]
        read_only_fields = fields


class VictimSerializer(serializers.ModelSerializer):
    """Victims as every page shows them: ID number and phone masked (reveal is a separate call)."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Victim
        fields = ["id", "name", "id_number", "phone", "age", "gender", "occupation", "home_region"]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class CaseIndicatorSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="indicator.kind", read_only=True)
    value = serializers.CharField(source="indicator.value", read_only=True)
    indicator_id = serializers.IntegerField(source="indicator.id", read_only=True)
    ring = serializers.IntegerField(source="indicator.ring_id", read_only=True)
    case_count = serializers.IntegerField(source="indicator.case_count", read_only=True)
    is_linkable = serializers.BooleanField(source="indicator.is_linkable", read_only=True)

    class Meta:
        model = CaseIndicator
        fields = ["id", "indicator_id", "kind", "value", "role", "raw_value", "ring", "case_count", "is_linkable"]
        read_only_fields = fields


class TransactionSerializer(serializers.ModelSerializer):
    """A victim's payment as every answer shows it: the victim's own paying account masked."""

    payer_account = serializers.SerializerMethodField()

    class Meta:
        model = Transaction
        fields = ["id", "occurred_at", "amount", "channel", "payer_account", "payee_kind", "payee_account",
                  "payee_institution", "reference"]
        read_only_fields = fields

    def get_payer_account(self, obj) -> str:
        return mask_account(obj.payer_account)


class TransactionInputSerializer(serializers.Serializer):
    occurred_at = BoundedDateTimeField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    channel = serializers.ChoiceField(choices=PaymentChannel.choices, required=False, default=PaymentChannel.BANK_TRANSFER)
    payer_account = serializers.CharField(max_length=64, required=False, allow_blank=True)
    payee_kind = serializers.ChoiceField(choices=PayeeKind.choices, required=False, default=PayeeKind.ACCOUNT)
    payee_account = serializers.CharField(max_length=128)
    payee_institution = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["id", "at", "kind", "message", "actor", "agency", "detail"]
        read_only_fields = fields


class CaseDetailSerializer(CaseListSerializer):
    victims = VictimSerializer(many=True, read_only=True)
    indicators = CaseIndicatorSerializer(source="indicator_links", many=True, read_only=True)
    timeline = CaseEventSerializer(many=True, read_only=True)
    transactions = TransactionSerializer(many=True, read_only=True)
    # What the victims got back (alerts' returns in instalments): returned, in progress, approved, outstanding.
    recovered = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + ["narrative", "victims", "indicators", "transactions", "timeline",
                                                   "recovered", "version"]
        read_only_fields = fields

    def get_recovered(self, case) -> dict[str, str]:
        from alerts.selectors_returns import case_recovered

        r = case_recovered(case_id=case.pk)
        return {"returned": str(r.returned), "in_progress": str(r.in_progress), "approved": str(r.approved),
                "outstanding": str(r.outstanding)}


class VictimInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    age = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    occupation = serializers.CharField(max_length=50, required=False, allow_blank=True)
    home_region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)

    def validate_id_number(self, value):
        if not value:
            return value
        try:
            return validate_id_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)


class IndicatorInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    value = serializers.CharField(max_length=255)
    role = serializers.ChoiceField(choices=IndicatorRole.choices, required=False, default=IndicatorRole.OTHER)


class CaseCreateSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    typology = serializers.SlugRelatedField(slug_field="code", queryset=Typology.objects.filter(is_active=True))
    occurred_at = BoundedDateTimeField()
    reported_at = BoundedDateTimeField(required=False)
    loss_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                           allow_null=True, help_text="omitted: the sum of the transactions")
    payment_channel = serializers.ChoiceField(choices=PaymentChannel.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    victims = VictimInputSerializer(many=True, min_length=1)
    indicators = IndicatorInputSerializer(many=True, required=False, default=list)
    transactions = TransactionInputSerializer(many=True, required=False, default=list, max_length=200)


class CaseUpdateSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)
    typology = serializers.SlugRelatedField(slug_field="code", queryset=Typology.objects.all(), required=False)
    occurred_at = BoundedDateTimeField(required=False)
    loss_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    payment_channel = serializers.ChoiceField(choices=PaymentChannel.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, required=False)
    version = serializers.IntegerField(
        min_value=0, required=False,
        help_text="The case's version as last read; a save from an older one answers 409 and changes nothing.")


class TypologySerializer(serializers.ModelSerializer):
    class Meta:
        model = Typology
        fields = ["id", "code", "name", "name_en", "is_active"]


# Serialises selectors.LookupCase rows (plain values, as the ring's rows), not model instances.
class LookupCaseSerializer(serializers.Serializer):
    """A case the caller may see that carries the looked-up trace."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    reported_at = serializers.DateTimeField()
    occurred_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField()
    ring = serializers.IntegerField(source="ring_id", allow_null=True)


class LookupIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    value = serializers.CharField()
    registrable_domain = serializers.CharField()
    is_linkable = serializers.BooleanField()
    needs_review = serializers.BooleanField()
    case_count = serializers.IntegerField()
    visible_case_count = serializers.IntegerField()
    first_seen_at = serializers.DateTimeField(allow_null=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    ring = serializers.DictField(allow_null=True)
    cases = LookupCaseSerializer(many=True)


class LookupSerializer(serializers.Serializer):
    query = serializers.CharField()
    candidates = serializers.ListField(child=serializers.DictField())
    indicators = LookupIndicatorSerializer(many=True)


class RingCaseSerializer(serializers.Serializer):
    """A slim row per case: a ring can hold hundreds (plain fields, no nested serializers)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    region_name = serializers.CharField()
    typology_name = serializers.CharField()
    loss_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    priority = serializers.IntegerField()

    def to_representation(self, row: dict) -> dict:
        # Each value formatted by its own field, as Serializer.to_representation does, without
        # its per-field attribute lookup: the same output in a third of the time, for hundreds.
        return {name: None if row[name] is None else field.to_representation(row[name]) for name, field in self._row_fields}

    @cached_property
    def _row_fields(self) -> list[tuple]:
        return [(field.field_name, field) for field in self._readable_fields]


class RingDetailSerializer(serializers.Serializer):
    ring = RingBriefSerializer()
    visible_case_count = serializers.IntegerField()
    regions = serializers.ListField(child=serializers.CharField())
    cases = RingCaseSerializer(many=True)
    indicators = serializers.SerializerMethodField()
    graph = serializers.DictField()

    def get_indicators(self, obj) -> list[dict]:
        return [
            {"id": i.pk, "kind": i.kind, "value": i.value, "case_count": i.case_count} for i in obj["indicators"]
        ]

