"""API shapes. Reads go through alerts.payloads so each side gets exactly its view."""

from django.utils.translation import gettext_lazy as _
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Region
from cases.models import Case, Transaction
from cases.normalize import validate_id_number
from core.datetimes import BoundedDateTimeField, iso_local

from ..choices import BlockOutcome, DissuasionOutcome, MoneyOutcome, RequestKind, TakedownOutcome, TargetKind
from ..models import Request, ReturnProposal, ReturnShare, Signal
from ..payloads import request_view_for


def _checked_id_number(value: str) -> str:
    """A resident ID number, GB 11643 checksum checked (blank allowed)."""
    if not value:
        return value
    try:
        return validate_id_number(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class RequestSerializer(serializers.Serializer):
    """A request as the caller's agency may see it: the receiver gets the minimal view (case
    number, typology, amount, target, requesting officer), the issuing side the full one."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=RequestKind.choices, read_only=True)
    status = serializers.CharField(read_only=True)
    case_number = serializers.CharField(read_only=True)
    typology = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    target_kind = serializers.CharField(read_only=True)
    target_value = serializers.CharField(read_only=True)
    requesting_officer = serializers.CharField(read_only=True)
    issuing_agency = serializers.CharField(read_only=True)
    routing_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    ack_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    complete_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalated = serializers.BooleanField(read_only=True)
    target_agency = serializers.CharField(read_only=True, required=False, help_text=_("仅发起方可见"))
    amount_secured = serializers.CharField(read_only=True, required=False, allow_null=True)
    balance = serializers.CharField(read_only=True, required=False, allow_null=True)
    result = serializers.JSONField(read_only=True, required=False)
    claimed_by = serializers.CharField(read_only=True, required=False, allow_null=True,
                                       help_text=_("认领人（仅接收单位可见）"))
    claimed_at = serializers.DateTimeField(read_only=True, required=False, allow_null=True)

    def to_representation(self, instance):
        user = self.context["request"].user
        data = request_view_for(instance, user.agency_id if user.agency_id else -1)
        if user.agency_id and user.agency_id in (instance.target_agency_id, instance.secondary_agency_id):
            holder = instance.claimed_by
            data["claimed_by"] = (holder.get_full_name() or holder.get_username()) if holder else None
            data["claimed_at"] = instance.claimed_at.isoformat() if instance.claimed_at else None
        view = self.context.get("view")
        if view is not None and getattr(view, "action", "") == "retrieve":
            # One request read whole: its layer and the victim's payments it covers (time,
            # amount, reference: what the bank finds them by; never who paid).
            data["layer"] = instance.layer
            data["disposition"] = instance.disposition
            data["transactions"] = [
                {"occurred_at": iso_local(t.occurred_at), "amount": str(t.amount), "channel": t.channel,
                 "reference": t.reference}
                for t in instance.transactions.order_by("occurred_at", "pk")
            ]
            if instance.kind == RequestKind.FUND_RETURN:
                from ..payloads import return_view

                receiver = user.agency_id in (instance.target_agency_id, instance.secondary_agency_id)
                data["return"] = return_view(instance, masked=receiver and user.agency_id != instance.issuing_agency_id)
        return data


class RequestCreateSerializer(serializers.Serializer):
    # A return is issued by an approved return proposal, never by hand.
    kind = serializers.ChoiceField(choices=[c for c in RequestKind.choices if c[0] != RequestKind.FUND_RETURN],
                                   label=_("类型"))
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, label=_("目标类型"))
    target_value = serializers.CharField(max_length=255, required=False, allow_blank=True, label=_("目标"))
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all(), required=False, allow_null=True, label=_("案件"))
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, min_value=0, label=_("金额"),
                                      help_text=_("止付/冻结：留空为本案到达该账号的交易之和"))
    transactions = serializers.PrimaryKeyRelatedField(
        queryset=Transaction.objects.all(), many=True, required=False, label=_("涉及交易"),
        help_text=_("本案中该请求涵盖的交易；留空为到达该账号的全部交易"))
    note = serializers.CharField(required=False, allow_blank=True, label=_("说明"))
    target_bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    legal_notice_number = serializers.CharField(max_length=64, required=False, allow_blank=True, label=_("法律文书编号"))
    legal_notice_file = serializers.FileField(required=False, allow_null=True, label=_("法律文书"))
    term_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12)
    person_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    person_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    person_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    person_region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True)

    def validate_person_id_number(self, value):
        return _checked_id_number(value)

    def validate_case(self, case):
        user = self.context["request"].user
        if case is not None and not Case.objects.restrict(user).filter(pk=case.pk).exists():
            raise serializers.ValidationError(_("案件不存在或无权访问。"))
        return case


class OnwardTransferSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, label=_("转出金额"))
    transferred_at = BoundedDateTimeField(label=_("转出时间"))
    destination_account = serializers.CharField(max_length=64, label=_("转入账号"))
    destination_bank = serializers.CharField(max_length=100, required=False, allow_blank=True, label=_("转入银行/机构"))
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, label=_("交易流水号"))


DISPOSITION_CHOICES = [*MoneyOutcome.choices, *BlockOutcome.choices, *TakedownOutcome.choices]


class CompleteSerializer(serializers.Serializer):
    """A request's result. Stop-payment/freeze: held, balance, disposition (derived from the
    amounts when omitted), onward transfers; held <= balance and held + onward <= the amount
    requested unless ``over_amount_reason`` says why (400 with the field's error otherwise).
    Number block / takedown: disposition (+ ``disposition_at``, ``ported_to``, ``refusal_reason``)."""

    amount_secured = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True)
    disposition = serializers.ChoiceField(choices=DISPOSITION_CHOICES, required=False, allow_blank=True,
                                          label=_("办理结论"))
    disposition_at = BoundedDateTimeField(required=False, allow_null=True, label=_("生效时间"))
    over_amount_reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                               label=_("超出请求金额的理由"))
    ported_to = serializers.CharField(max_length=100, required=False, allow_blank=True, label=_("转入运营商"))
    refusal_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, label=_("拒绝理由"))
    onward_transfers = OnwardTransferSerializer(many=True, required=False)
    answer = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=DissuasionOutcome.choices, required=False, allow_blank=True)


class ClaimSerializer(serializers.Serializer):
    take_over = serializers.BooleanField(required=False, default=False, label=_("接手"),
                                         help_text=_("另一位同事已认领时，明确接手"))


class BulkAcknowledgeSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200,
                                label=_("请求 ID"))


class BulkSkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    code = serializers.ChoiceField(choices=["already", "not_found", "forbidden", "claimed", "state"])
    message = serializers.CharField()


class BulkAcknowledgeResultSerializer(serializers.Serializer):
    acknowledged = RequestSerializer(many=True)
    skipped = BulkSkippedSerializer(many=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("退回理由"))


class SignalSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True)
    task_number = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = ["id", "received_at", "resident_name", "resident_id_number", "resident_phone", "region", "reason",
                  "indicator_kind", "indicator_value", "amount", "task_number"]
        read_only_fields = ["id", "received_at", "task_number"]

    def validate_resident_id_number(self, value):
        return _checked_id_number(value)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_task_number(self, signal):
        """The dissuasion task's number when this signal opened it, or the caller may see the
        task: a signal that joins an open task opened by another agency's signal must not
        reveal that task."""
        request = self.context.get("request")
        task = signal.task
        if task is None or request is None:
            return None
        opened_here = not Signal.objects.filter(task_id=task.pk, pk__lt=signal.pk).exists()
        if opened_here or Request.objects.restrict(request.user).filter(pk=task.pk).exists():
            return task.number
        return None


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, label=_("解冻理由"))


class ReturnInstalmentSerializer(serializers.Serializer):
    """One instalment: its return request to the bank and what the bank reported returned."""

    sequence = serializers.IntegerField()
    request_id = serializers.IntegerField(source="request.pk")
    request_number = serializers.CharField(source="request.number")
    amount = serializers.DecimalField(source="request.amount", max_digits=16, decimal_places=2)
    status = serializers.CharField(source="request.status")
    returned = serializers.DecimalField(source="request.amount_secured", max_digits=16, decimal_places=2,
                                        allow_null=True)


class ReturnShareSerializer(serializers.ModelSerializer):
    """A victim's share: ``loss`` is what of their money reached the frozen account (traced);
    ``returned`` / ``in_progress`` / ``outstanding`` follow its instalments."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    victim = serializers.CharField(source="victim.name", default="", read_only=True)
    returned = serializers.DecimalField(source="figures.returned", max_digits=16, decimal_places=2, read_only=True)
    in_progress = serializers.DecimalField(source="figures.in_progress", max_digits=16, decimal_places=2,
                                           read_only=True)
    outstanding = serializers.DecimalField(source="figures.outstanding", max_digits=16, decimal_places=2,
                                           read_only=True)
    instalments = ReturnInstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnShare
        fields = ["id", "case_number", "victim", "loss", "share", "returned", "in_progress", "outstanding",
                  "instalments"]

    def to_representation(self, instance):
        from ..selectors_returns import share_figures

        instance.figures = share_figures(instance)
        return super().to_representation(instance)


class ReturnProposalSerializer(serializers.ModelSerializer):
    """A proposal as the centre sees it: the freeze, the total and each victim's share with its
    instalments."""

    request_number = serializers.CharField(source="request.number", read_only=True)
    shares = ReturnShareSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnProposal
        fields = ["id", "request_number", "total", "status", "created_at", "decided_at", "shares"]


class IssueRestSerializer(serializers.Serializer):
    share = serializers.IntegerField(label=_("返还份额"), help_text=_("返还方案中受害人份额的 id"))


class StopAllSerializer(serializers.Serializer):
    """``POST /api/v1/requests/stop-all/``: one stop-payment per receiving account of the case's
    transactions, for the sum that reached it (as the case page's "stop all")."""

    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all(), label=_("案件"))
    accounts = serializers.ListField(child=serializers.CharField(max_length=128), required=False, allow_null=True,
                                     label=_("收款账号"), help_text=_("要止付的收款账号；留空为全部"))

    def validate_case(self, case):
        user = self.context["request"].user
        if not Case.objects.restrict(user).filter(pk=case.pk).exists():
            raise serializers.ValidationError(_("案件不存在或无权访问。"))
        return case


class MoneyTreeNodeSerializer(serializers.Serializer):
    """One account of the tree (``alerts.selectors_money.money_tree``); ``parent_id`` and
    ``edges`` only for the case's side."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    layer = serializers.IntegerField()
    kind = serializers.CharField()
    account = serializers.CharField(help_text=_("已脱敏"))
    institution = serializers.CharField()
    amount_in = serializers.DecimalField(max_digits=16, decimal_places=2)
    held = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    moved_on = serializers.DecimalField(max_digits=16, decimal_places=2)
    still_moving = serializers.DecimalField(max_digits=16, decimal_places=2)
    outcome = serializers.CharField()
    outcome_display = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    state_display = serializers.CharField()
    parent_id = serializers.IntegerField(required=False, allow_null=True)
    edges = serializers.ListField(child=serializers.DictField(), required=False)


class MoneyTreeTotalsSerializer(serializers.Serializer):
    accounts = serializers.IntegerField()
    amount_in = serializers.DecimalField(max_digits=16, decimal_places=2)
    held = serializers.DecimalField(max_digits=16, decimal_places=2)
    moved_on = serializers.DecimalField(max_digits=16, decimal_places=2)
    still_moving = serializers.DecimalField(max_digits=16, decimal_places=2)
    open = serializers.IntegerField()


class MoneyTreeLayerSerializer(serializers.Serializer):
    layer = serializers.IntegerField()
    totals = MoneyTreeTotalsSerializer()
    nodes = MoneyTreeNodeSerializer(many=True)


class MoneyTreeSerializer(serializers.Serializer):
    """The money trail of a case by layer; ``view`` is "full" (the case's side) or "own" (a
    bank: its own nodes only)."""

    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    view = serializers.CharField()
    totals = MoneyTreeTotalsSerializer()
    layers = MoneyTreeLayerSerializer(many=True)

    def to_representation(self, tree):
        # The declared fields document the shape (OpenAPI); the values are written here
        # directly, as those fields would (amounts as "1234.50", times in ISO 8601): a field
        # object per value made a 200-account tree cost its serializer more than its query.
        def money(value):
            return None if value is None else "%.2f" % value

        def when(value):
            return iso_local(value)

        def totals(t):
            return {"accounts": t["accounts"], "open": t["open"],
                    **{k: money(t[k]) for k in ("amount_in", "held", "moved_on", "still_moving")}}

        def node(n):
            out = {"id": n["id"], "number": n["number"], "layer": n["layer"], "kind": n["kind"], "account": n["account"],
                   "institution": n["institution"], "amount_in": money(n["amount_in"]), "held": money(n["held"]),
                   "moved_on": money(n["moved_on"]), "still_moving": money(n["still_moving"]), "outcome": n["outcome"],
                   "outcome_display": n["outcome_display"], "deadline": when(n["deadline"]), "state": n["state"],
                   "state_display": n["state_display"]}
            if "edges" in n:
                out["parent_id"] = n["parent_id"]
                out["edges"] = [{**e, "amount": money(e["amount"]), "at": when(e["at"])} for e in n["edges"]]
            return out

        return {"case_id": tree["case_id"], "case_number": tree["case_number"], "view": tree["view"],
                "totals": totals(tree["totals"]),
                "layers": [{"layer": layer["layer"], "totals": totals(layer["totals"]),
                            "nodes": [node(n) for n in layer["nodes"]]} for layer in tree["layers"]]}
