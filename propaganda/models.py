"""Publicity: campaigns, the outreach members log, the content library, weekly bulletins and
fraud-free communities. Visibility rules live in ``querysets.py``."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import BulletinStatus, Channel, ContentKind, ContentStatus, TargetGroup, TitleStatus
from .querysets import (
    BulletinQuerySet,
    CampaignQuerySet,
    ContentItemQuerySet,
    CriteriaQuerySet,
    OutreachQuerySet,
    ReceiptQuerySet,
    TitleQuerySet,
)


class Campaign(models.Model):
    """A publicity campaign aimed at some typologies, groups and regions for a period."""

    title = models.CharField(_("活动名称"), max_length=120)
    message = models.TextField(_("核心宣传语"))
    typologies = models.ManyToManyField("cases.Typology", verbose_name=_("针对诈骗类型"), blank=True, related_name="+")
    # Lists of TargetGroup / Channel values (JSON, so the embedded SQLite mode works too).
    target_groups = models.JSONField(_("目标人群"), default=list, blank=True)
    target_regions = models.ManyToManyField("agencies.Region", verbose_name=_("目标区域"), related_name="+")
    channels = models.JSONField(_("宣传渠道"), default=list, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    agencies = models.ManyToManyField("agencies.Agency", verbose_name=_("参与单位"), blank=True, related_name="+")
    owner_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("发起单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order")
        ]

    def __str__(self):
        return self.title

    def get_target_groups_display(self) -> list[str]:
        return [str(TargetGroup(g).label) for g in self.target_groups if g in TargetGroup.values]

    def get_channels_display(self) -> list[str]:
        return [str(Channel(c).label) for c in self.channels if c in Channel.values]


class ContentItem(models.Model):
    """An article, poster, script or video for one typology; usable once the department approves."""

    kind = models.CharField(_("类型"), max_length=10, choices=ContentKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    typology = models.ForeignKey(
        "cases.Typology", verbose_name=_("诈骗类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("正文/脚本"), blank=True)
    link = models.URLField(_("素材链接"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ContentStatus.choices, default=ContentStatus.DRAFT, db_index=True
    )
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("提交单位"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传素材")
        verbose_name_plural = _("宣传素材")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Outreach(models.Model):
    """One publicity activity a member logged: where, how, for whom, how many people reached."""

    date = models.DateField(_("日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=120)
    region = models.ForeignKey("agencies.Region", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("方式"), max_length=20, choices=Channel.choices)
    target_group = models.CharField(_("对象人群"), max_length=30, choices=TargetGroup.choices)
    people_reached = models.PositiveIntegerField(
        _("覆盖人数"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("所属活动"), null=True, blank=True, on_delete=models.SET_NULL, related_name="outreach"
    )
    materials = models.ManyToManyField(ContentItem, verbose_name=_("使用素材"), blank=True, related_name="+")
    materials_note = models.CharField(_("其他材料"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("记录单位"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传记录")
        verbose_name_plural = _("宣传记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["agency", "-date"]), models.Index(fields=["region", "date"])]

    def __str__(self):
        return f"{self.date} {self.place}"


class OutreachPhoto(models.Model):
    """A photo of an outreach activity, re-encoded on upload so no EXIF/GPS survives."""

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="outreach/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("宣传照片")
        verbose_name_plural = _("宣传照片")


class Bulletin(models.Model):
    """The weekly case bulletin (警情通报): drafted from the week's cases, edited, published.

    ``figures`` keeps the tables the draft was built from (typologies, hot spots); ``body`` is the
    text the centre edits. Neither ever carries personal data (see bulletins.py).
    """

    week_start = models.DateField(_("周起始日"))
    region = models.ForeignKey("agencies.Region", verbose_name=_("通报范围"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=150)
    body = models.TextField(_("正文"))
    advice = models.TextField(_("防范提示"), blank=True)
    figures = models.JSONField(_("统计"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("警情通报")
        verbose_name_plural = _("警情通报")
        ordering = ["-week_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "week_start"], name="uniq_bulletin_agency_week")
        ]

    def __str__(self):
        return self.title


class BulletinReceipt(models.Model):
    """One member agency's copy of a published bulletin: delivered, and when it was first opened."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="receipts")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(_("送达时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("首次阅读"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("阅读人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报回执")
        verbose_name_plural = _("通报回执")
        ordering = ["agency__kind", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "agency"], name="uniq_bulletin_receipt")]
        indexes = [models.Index(fields=["agency", "-delivered_at"])]


class FraudFreeCriteria(models.Model):
    """The office's criteria for a fraud-free community; the newest row is in force."""

    months_without_case = models.PositiveSmallIntegerField(
        _("连续无发案月数"), default=6, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    coverage_per_10k = models.PositiveIntegerField(
        _("宣传覆盖（人次/万人，近12个月）"), default=3000, validators=[MaxValueValidator(1_000_000)]
    )
    dissuaded_share = models.DecimalField(
        _("预警及时劝阻率（%）"), max_digits=5, decimal_places=2, default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CriteriaQuerySet.as_manager()

    class Meta:
        verbose_name = _("无诈社区标准")
        verbose_name_plural = _("无诈社区标准")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.months_without_case} / {self.coverage_per_10k} / {self.dissuaded_share}%"


class FraudFreeTitle(models.Model):
    """A community's application for, and holding of, the fraud-free title."""

    region = models.ForeignKey("agencies.Region", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=TitleStatus.choices, default=TitleStatus.APPLIED)
    statement = models.TextField(_("申请说明"), blank=True)
    snapshot = models.JSONField(_("申请时指标"), default=dict, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("摘牌时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("摘牌原因"), max_length=200, blank=True)

    objects = TitleQuerySet.as_manager()

    class Meta:
        verbose_name = _("无诈社区创建")
        verbose_name_plural = _("无诈社区创建")
        ordering = ["-applied_at", "-id"]
        constraints = [
            # One live application or title per community at a time.
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(status__in=["applied", "approved"]), name="uniq_live_fraudfree_title"
            )
        ]

    def __str__(self):
        return f"{self.region} {self.get_status_display()}"
