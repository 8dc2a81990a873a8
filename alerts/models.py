"""Requests between agencies (stop-payment, freeze, block, takedown, query, dissuasion), the
signals that start dissuasion, deadlines and return proposals. A request row is also its own
outbox entry (``delivery_pending``), which makes delivery lossless.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    DissuasionOutcome,
    FreezeAction,
    ProposalStatus,
    RequestKind,
    RequestStatus,
    TargetKind,
)
from .querysets import RequestQuerySet, SignalQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2}


class Request(models.Model):
    """One request from an issuing agency (usually the centre) to one receiving agency.

    ``target_agency`` is empty until routing decided (or a person routed it by hand, see
    ``needs_manual_routing``). ``routing_reason`` explains the choice to both sides and
    ``routing_tried`` lists agencies already tried so a re-route never returns to one.
    A dissuasion task goes to a police station (``target_agency``) AND a community
    (``secondary_agency``); both may action it.
    """

    number = models.CharField(_("请求编号"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.CREATED)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="requests",
        db_index=False,
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上一级请求"), null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ons"
    )
    issuing_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("发起单位"), on_delete=models.PROTECT, related_name="issued_requests",
        db_index=False,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("接收单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="received_requests", db_index=False,
    )
    secondary_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("协办社区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="secondary_requests", db_index=False,
    )
    # What the request is about: an account, a phone number, a URL/app/social account or a person.
    target_kind = models.CharField(_("目标类型"), max_length=10, choices=TargetKind.choices)
    target_value = models.CharField(_("目标"), max_length=255)
    target_bank_name = models.CharField(_("目标开户行"), max_length=100, blank=True)
    amount = models.DecimalField(_("涉案金额（元）"), default=Decimal("0"), **MONEY)
    # The victim's payments this request covers (a stop-payment: those that reached its
    # account; its amount is their sum). A follow-on covers none: its amount is what moved on.
    transactions = models.ManyToManyField(
        "cases.Transaction", verbose_name=_("涉及交易"), blank=True, related_name="requests"
    )
    # Where in the money trail a stop-payment stands: 1 for the victim's receiving accounts, n+1
    # for the accounts money moved on to from layer n.
    layer = models.PositiveSmallIntegerField(_("层级"), default=1)
    note = models.TextField(_("说明"), blank=True)
    # Routing
    routing_reason = models.CharField(_("路由依据"), max_length=300, blank=True)
    routing_tried = models.JSONField(_("已尝试单位"), default=list, blank=True)
    needs_manual_routing = models.BooleanField(_("待人工分派"), default=False)
    # The request row is its own outbox entry: set by request_create in the POST's transaction,
    # cleared by the delivery batch that routes it (alerts.delivery), set again for a re-route.
    # A separate outbox table cost every request one more insert, one more update and a join in
    # each claim. Off by default: a row written otherwise (a task straight into the dispatch
    # queue) is not for the workers.
    delivery_pending = models.BooleanField(_("待投递"), default=False)
    # Whether its request.created event has gone out: the first delivery batch emits it (with
    # that batch's other events, one insert and one publish), not the POST; a re-route does not.
    announced = models.BooleanField(default=False)
    # Freeze specifics
    legal_notice_number = models.CharField(_("法律文书编号"), max_length=64, blank=True)
    legal_notice_file = models.FileField(_("法律文书"), upload_to="legal_notices/%Y/%m/", blank=True)
    term_months = models.PositiveSmallIntegerField(_("冻结期限（月）"), null=True, blank=True)
    freeze_action = models.CharField(_("冻结操作"), max_length=10, choices=FreezeAction.choices, blank=True)
    # Stop-payment and freeze validity (48 h, extendable once; or the freeze term).
    effective_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    # Person (dissuasion / query about a person). Personal data: masked in views.
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    person_phone = models.CharField(_("手机号"), max_length=20, blank=True)
    person_region = models.ForeignKey(
        "agencies.Region", verbose_name=_("居住地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Lifecycle
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    reject_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=300, blank=True)
    ack_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    complete_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超时督办时间"), null=True, blank=True)
    # Results (stop-payment/freeze: amounts; query: answer; dissuasion: outcome)
    amount_secured = models.DecimalField(_("止付/冻结金额（元）"), null=True, blank=True, **MONEY)
    balance = models.DecimalField(_("账户余额（元）"), null=True, blank=True, **MONEY)
    outcome = models.CharField(_("劝阻结果"), max_length=20, choices=DissuasionOutcome.choices, blank=True)
    result = models.JSONField(_("办理结果"), default=dict, blank=True)
    # The structured answer of a bank (held, partly held ...), a carrier (blocked, ported ...)
    # or a platform (removed, refused ...): alerts.choices.DISPOSITIONS; when it took effect.
    disposition = models.CharField(_("办理结论"), max_length=24, blank=True)
    disposition_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    # The receiving clerk working it (alerts.services.claims): another clerk of the same agency
    # may act on it only after taking it over explicitly.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("认领人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("协查请求")
        verbose_name_plural = _("协查请求")
        ordering = ["-created_at", "-id"]
        # Only the indexes that a query needs: every request is inserted once and updated on
        # each move (most moves change an indexed column, so each updates every index), and
        # the table had 29 indexes, most of them Django's defaults for a foreign key or a
        # ``db_index`` that one of these serves as well. The partial ones hold only the rows
        # their query can want: the watcher's open unescalated requests, the dispatch queue,
        # and the residents' signal join (a request about an account has no person).
        indexes = [
            models.Index(fields=["target_agency", "status", "-created_at"]),
            models.Index(fields=["secondary_agency", "status"]),
            models.Index(fields=["issuing_agency", "-created_at"]),
            models.Index(fields=["case", "kind", "target_value"]),
            models.Index(fields=["ack_due_at"], name="alerts_req_ack_watch_idx",
                         condition=Q(status="delivered", escalated_at__isnull=True)),
            models.Index(fields=["complete_due_at"], name="alerts_req_complete_watch_idx",
                         condition=Q(status__in=["delivered", "acknowledged"], escalated_at__isnull=True)),
            models.Index(fields=["-created_at"], name="alerts_req_dispatch_idx", condition=Q(needs_manual_routing=True)),
            # The league's "open past deadline" per unit (dashboards.assessment): a period's open
            # requests are a tenth of its rows; at 3M requests this took the month's two counts
            # from 214 to 30 ms each (bench_dashboards, league first view). The columns that
            # count is made of are included, so a whole month's count is an index-only scan
            # (the rows sit one per heap page): 162 -> 16 ms for November's 25,000 open rows.
            models.Index(fields=["created_at"], name="alerts_req_open_cover_idx",
                         include=["target_agency_id", "secondary_agency_id", "complete_due_at", "ack_due_at",
                                  "acknowledged_at"],
                         condition=Q(status__in=["created", "delivered", "acknowledged"])),
            models.Index(fields=["person_id_number"], name="alerts_req_person_id_idx", condition=~Q(person_id_number="")),
            models.Index(fields=["person_phone"], name="alerts_req_person_phone_idx", condition=~Q(person_phone="")),
            # What is still to deliver, in order. Partial, and walked in order: an index on a
            # timestamp kept an entry for every row that was ever undelivered until the next
            # vacuum, and each claim read them all (the claim grew with the table); an index
            # scan here steps over entries it has seen dead, and the delivered are not in it.
            models.Index(fields=["id"], name="alerts_req_undelivered_idx", condition=Q(delivery_pending=True)),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.CREATED, RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED)

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class OnwardTransfer(models.Model):
    """Money that had already left the account when the bank acted; chased by a follow-on.

    Two transfers into one account share one follow-on (its amount is their sum); a transfer
    back into an account already upstream in the trail has none (``loop``)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="onward_transfers")
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    transferred_at = models.DateTimeField(_("转出时间"))
    destination_account = models.CharField(_("转入账号"), max_length=64)
    destination_bank = models.CharField(_("转入银行/机构"), max_length=100, blank=True)
    reference = models.CharField(_("交易流水号"), max_length=64, blank=True)
    loop = models.BooleanField(_("回流至上游账户"), default=False)
    follow_on = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_transfers"
    )

    class Meta:
        verbose_name = _("资金转出")
        verbose_name_plural = _("资金转出")
        ordering = ["transferred_at", "id"]


class DeadlinePolicy(models.Model):
    """Response deadlines of one request kind, editable by the leadership office."""

    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices, unique=True)
    ack_minutes = models.PositiveIntegerField(_("签收时限（分钟）"), null=True, blank=True)
    complete_minutes = models.PositiveIntegerField(_("办结时限（分钟）"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class Signal(models.Model):
    """An early warning from a bank, carrier or platform about a resident about to be defrauded."""

    source_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("预警单位"), on_delete=models.PROTECT, related_name="signals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True, db_index=True)
    resident_name = models.CharField(_("姓名"), max_length=50, blank=True)
    resident_id_number = models.CharField(_("身份证号"), max_length=18, blank=True, db_index=True)
    resident_phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    region = models.ForeignKey(
        "agencies.Region", verbose_name=_("居住地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("预警原因"), max_length=300)
    indicator_kind = models.CharField(_("线索类型"), max_length=10, blank=True)
    indicator_value = models.CharField(_("涉诈线索"), max_length=255, blank=True)
    amount = models.DecimalField(_("涉及金额（元）"), null=True, blank=True, **MONEY)
    task = models.ForeignKey(
        Request, verbose_name=_("劝阻任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警信息")
        verbose_name_plural = _("预警信息")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"S{self.pk}"


class ReturnProposal(models.Model):
    """Pro-rata return of the money held by a freeze to the ring's victims, for the centre."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="return_proposals")
    total = models.DecimalField(_("可返还金额（元）"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("按比例返还方案")
        verbose_name_plural = _("按比例返还方案")


class ReturnShare(models.Model):
    """One victim's share of a frozen account's money: what of their payments reached that
    account, traced through the money tree (``loss``), over what reached it from every victim,
    times the frozen total (to the cent). Paid in instalments (``ReturnInstalment``)."""

    proposal = models.ForeignKey(ReturnProposal, on_delete=models.CASCADE, related_name="shares")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    victim = models.ForeignKey("cases.Victim", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    loss = models.DecimalField(_("损失金额（元）"), **MONEY)
    share = models.DecimalField(_("返还金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("返还份额")
        verbose_name_plural = _("返还份额")


class ReturnInstalment(models.Model):
    """One instalment of an approved share: a return request (``Request`` of kind
    ``fund_return``) to the bank holding the frozen money, for ``request.amount``. The bank
    reports what it returned as the request's ``amount_secured``; what a partial return leaves
    is the share's outstanding rest, which the centre may request as a next instalment."""

    share = models.ForeignKey(ReturnShare, on_delete=models.CASCADE, related_name="instalments")
    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="return_instalment")
    sequence = models.PositiveSmallIntegerField(_("期数"), default=1)
    # The victim's paying account the money goes back to (personal data: masked for banks).
    payee_account = models.CharField(_("返还至账号"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("返还分期")
        verbose_name_plural = _("返还分期")
        ordering = ["share_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["share", "sequence"], name="alerts_return_instalment_seq")]
