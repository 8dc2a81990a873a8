from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guardian.models import GroupObjectPermissionBase

from .choices import CaseStatus, CloseReason, Gender, IndicatorKind, IndicatorRole, PayeeKind, PaymentChannel


class Typology(models.Model):
    """A fraud typology (刷单返利, 冒充公检法 ...), kept in the database so admins can add one."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诈骗类型")
        verbose_name_plural = _("诈骗类型")
        ordering = ["sort_order", "code"]

    def __str__(self):
        from django.utils.translation import get_language

        # English readers get the English name where one is kept (issue 21 §7).
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Ring(models.Model):
    """A connected component of cases that share indicators: one fraud ring, seen whole.

    Its figures are kept up to date incrementally as cases are linked (cases.linking).
    """

    case_count = models.PositiveIntegerField(_("案件数"), default=0)
    total_loss = models.DecimalField(_("涉案金额"), max_digits=16, decimal_places=2, default=Decimal("0"))
    first_occurred_at = models.DateTimeField(_("最早发案"), null=True, blank=True)
    last_occurred_at = models.DateTimeField(_("最近发案"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("团伙串并")
        indexes = [models.Index(fields=["-case_count"], name="ring_size_idx")]
        verbose_name_plural = _("团伙串并")

    def __str__(self):
        return f"R{self.pk}"


from .querysets import CaseQuerySet  # noqa: E402  (the visibility rule lives there)


class Case(models.Model):
    """One reported fraud case."""

    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    reported_at = models.DateTimeField(_("报案时间"), db_index=True)
    occurred_at = models.DateTimeField(_("发案时间"))
    reporting_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="reported_cases"
    )
    region = models.ForeignKey(
        "agencies.Region", verbose_name=_("发案地"), on_delete=models.PROTECT, related_name="cases"
    )
    typology = models.ForeignKey(
        Typology, verbose_name=_("诈骗类型"), on_delete=models.PROTECT, related_name="cases"
    )
    loss_amount = models.DecimalField(
        _("损失金额（元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_channel = models.CharField(
        _("支付渠道"), max_length=20, choices=PaymentChannel.choices, default=PaymentChannel.BANK_TRANSFER
    )
    narrative = models.TextField(_("简要案情"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    priority_override = models.PositiveSmallIntegerField(_("人工优先级"), null=True, blank=True)
    priority_override_reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    # What the formula gave; ``priority`` is the effective value (the override when set) so
    # that the queue orders by one indexed column.
    priority_computed = models.PositiveSmallIntegerField(_("计算优先级"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    ring = models.ForeignKey(
        Ring, verbose_name=_("团伙"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复报案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    close_reason = models.CharField(_("结案原因"), max_length=20, choices=CloseReason.choices, blank=True, db_default="")
    # Set when this case was merged into another (cases.merging): its page redirects there.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("已合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    merged_at = models.DateTimeField(_("合并时间"), null=True, blank=True)
    # Bumped by every edit of the case's fields (cases.services_edit): a save made from an older
    # version is refused with the other person's changes shown, and nothing typed is lost.
    version = models.PositiveIntegerField(_("版本"), default=0, db_default=0)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-priority", "-reported_at"]
        permissions = [("view_shared_case", _("查看共享案件"))]
        indexes = [
            # The triage queue: open cases by priority (partial, so closed cases cost nothing).
            models.Index(
                fields=["-priority", "-reported_at", "-id"],
                name="case_queue_open_idx",
                condition=models.Q(status__in=["new", "triaged", "investigating"]),
            ),
            # Every case in the queue's order (the API lists closed ones too); it replaces the
            # index on priority alone, with which PostgreSQL sorted each priority's cases (in
            # parallel workers, which on two cores cost more than the sort).
            models.Index(fields=["-priority", "-reported_at", "-id"], name="case_priority_order_idx"),
            models.Index(fields=["region", "-priority", "-reported_at"], name="case_region_queue_idx"),
            models.Index(fields=["reporting_agency", "-reported_at"], name="case_reporter_idx"),
        ]

    def __str__(self):
        return self.number


class Victim(models.Model):
    """A person who reported being defrauded. ID number and phone are personal data: masked."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="victims")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    home_region = models.ForeignKey(
        "agencies.Region", verbose_name=_("户籍/居住地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("受害人")
        indexes = [models.Index(fields=["name"], name="victim_name_idx")]
        verbose_name_plural = _("受害人")

    def __str__(self):
        return self.name


class Transaction(models.Model):
    """One payment the victim made: what reached which receiving account, and when.

    The complaint is a list of these, not one loss figure: "stop all" puts a hold on each
    receiving account for the sum that reached it (alerts.services.money). The victim's own
    paying account is personal data: masked on every page and API answer (cases.masking).
    ``payee_account`` is stored normalised (an account's digits), as the indicator it also is.
    """

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="transactions")
    occurred_at = models.DateTimeField(_("交易时间"))
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    channel = models.CharField(
        _("支付渠道"), max_length=20, choices=PaymentChannel.choices, default=PaymentChannel.BANK_TRANSFER
    )
    payer_account = models.CharField(_("受害人付款账号"), max_length=64, blank=True)
    payee_kind = models.CharField(_("收款方类型"), max_length=10, choices=PayeeKind.choices, default=PayeeKind.ACCOUNT)
    payee_account = models.CharField(_("收款账号/钱包/商户"), max_length=128)
    payee_institution = models.CharField(_("收款银行/机构"), max_length=100, blank=True)
    reference = models.CharField(_("交易流水号"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("受害人交易")
        verbose_name_plural = _("受害人交易")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "payee_account"], name="case_txn_payee_idx")]

    def __str__(self):
        return "%s %s" % (self.payee_account, self.amount)


class Indicator(models.Model):
    """A fraudster's trace (a phone number, account, URL ...), stored once in normalised form."""

    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    value = models.CharField(_("规范值"), max_length=255)
    registrable_domain = models.CharField(_("注册域名"), max_length=255, blank=True, db_index=True)
    case_count = models.PositiveIntegerField(_("关联案件数"), default=0)
    first_seen_at = models.DateTimeField(_("首次出现"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近出现"), null=True, blank=True)
    # Set when the value is on the benign warning list or is shared by suspiciously many
    # cases: it is then kept but no longer ties cases into a ring until a person decides.
    is_linkable = models.BooleanField(_("参与串并"), default=True)
    # The ring every case carrying this (linkable) indicator belongs to: kept by cases.linking.
    ring = models.ForeignKey(
        Ring, verbose_name=_("团伙"), null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    needs_review = models.BooleanField(_("待人工复核"), default=False, db_index=True)
    review_reason = models.CharField(_("复核原因"), max_length=200, blank=True)
    flagged_at = models.DateTimeField(_("标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("涉案线索")
        verbose_name_plural = _("涉案线索")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="uniq_indicator")]

    def __str__(self):
        return self.value


class CaseIndicator(models.Model):
    """The link from a case to one of its indicators, with the role the trace played."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="case_links")
    role = models.CharField(_("角色"), max_length=30, choices=IndicatorRole.choices, default=IndicatorRole.OTHER)
    raw_value = models.CharField(_("原始值"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("案件线索")
        verbose_name_plural = _("案件线索")
        constraints = [
            models.UniqueConstraint(fields=["case", "indicator", "role"], name="uniq_case_indicator_role")
        ]
        indexes = [models.Index(fields=["indicator", "case"])]


class CaseEvent(models.Model):
    """One line of a case's timeline: created, triaged, request sent, freeze completed ..."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("事件"), max_length=40)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("案件动态")
        verbose_name_plural = _("案件动态")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.kind}"


class BenignIndicator(models.Model):
    """A value that must never tie cases together (a bank hotline, a platform's main domain).

    For URLs an entry with ``kind=url`` and a bare registrable domain (``taobao.com``) covers
    every URL under that domain.
    """

    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    value = models.CharField(_("规范值"), max_length=255)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("白名单线索")
        verbose_name_plural = _("白名单线索")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="uniq_benign_indicator")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"


class CaseSequence(models.Model):
    """The last case number handed out per region code and year (one upsert per intake)."""

    region_code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="uniq_case_sequence")]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-FK table for sharing a case with an agency's group (fast joins)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_shares")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        indexes = [models.Index(fields=["group", "content_object"], name="case_share_group_idx")]


class SavedFilter(models.Model):
    """A queue filter a user saved under a name (the query string of the queue page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_case_filters")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已保存的筛选")
        verbose_name_plural = _("已保存的筛选")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_case_filter")]

    def __str__(self):
        return self.name
# Notes, evidence files and tasks on a case (issue 20) live in their own room.
from .models_work import CaseEvidence, CaseNote, CaseTask  # noqa: E402,F401
