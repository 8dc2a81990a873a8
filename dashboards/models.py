"""Rollups the dashboards read, the rectification listings, and the assessment periods.

The three ``*Daily`` tables are derived data: ``dashboards.rollups`` recomputes one local day of
them from the source tables (cases, victims, requests, signals, return proposals), and the
months those days fall in of ``CaseMonthly`` from ``CaseDaily``. They are never edited by hand;
``manage.py rebuild_rollups`` rebuilds them from scratch.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import RectificationStatus

MONEY = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0")}


CUBE_FIELDS = ("cases", "loss", "solved", "victims_u18", "victims_18_34", "victims_35_59", "victims_60p",
               "victims_unknown")


class CaseFigures(models.Model):
    """The case figures summed per key (``CUBE_FIELDS``), shared by the daily and monthly rollups."""

    cases = models.PositiveIntegerField(default=0)
    loss = models.DecimalField(**MONEY)
    solved = models.PositiveIntegerField(default=0)
    victims_u18 = models.PositiveIntegerField(default=0)
    victims_18_34 = models.PositiveIntegerField(default=0)
    victims_35_59 = models.PositiveIntegerField(default=0)
    victims_60p = models.PositiveIntegerField(default=0)
    victims_unknown = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseDaily(CaseFigures):
    """Cases reported on one local day, per region, typology and reporting agency.

    ``region_path`` is the region's materialized path, copied so that "everything under this
    county" is a prefix filter on this table alone. ``solved`` counts cases of the day that are
    now solved or closed (the case table keeps no separate "solved" flag).
    """

    day = models.DateField()
    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    typology = models.ForeignKey("cases.Typology", on_delete=models.CASCADE, related_name="+")
    reporting_agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("案件日汇总")
        verbose_name_plural = _("案件日汇总")
        constraints = [
            models.UniqueConstraint(fields=["day", "region", "typology", "reporting_agency"], name="uniq_case_daily")
        ]
        indexes = [
            models.Index(fields=["day", "region_path"], name="case_daily_day_path",
                         opclasses=["date_ops", "varchar_pattern_ops"]),
            models.Index(fields=["region_path", "day"], name="case_daily_path_day",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["reporting_agency", "day"], name="case_daily_agency_day"),
        ]


class CaseMonthly(CaseFigures):
    """``CaseDaily`` summed per calendar month, region and typology (the reporting agency dropped).

    A year-long view (the "this year" dashboard and its two comparison periods) read 365 days of
    ``CaseDaily`` per figure: 65,022 rows at 1M cases a year, 50-80 ms of SQL each
    (bench_dashboards; the "this year" page went from 148 to 59 ms p95 with this table). A period now reads its whole months here and only the days of
    its partial first and last months from ``CaseDaily`` (``dashboards.selectors._cube``).
    ``month`` is the month's first day. Recomputed from ``CaseDaily`` for every month a refresh
    touches (``dashboards.rollups``).
    """

    month = models.DateField()
    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    typology = models.ForeignKey("cases.Typology", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("案件月汇总")
        verbose_name_plural = _("案件月汇总")
        constraints = [models.UniqueConstraint(fields=["month", "region", "typology"], name="uniq_case_monthly")]
        indexes = [
            models.Index(fields=["month", "region_path"], name="case_monthly_month_path",
                         opclasses=["date_ops", "varchar_pattern_ops"]),
        ]


class RegionDaily(models.Model):
    """Requests, money and protection per region and local day.

    Request figures (issued, completed, in time, overdue, money stopped and frozen, people
    dissuaded) are dated by the day the request was issued, with what became of it since: the
    issue time is indexed and never changes, so a later completion updates the issue day's row
    instead of moving the request to another day (a stop-payment completes within minutes, a
    freeze within a day). Returned money is dated by
    the day the return was approved, warnings by the day they arrived. A request's region is
    its case's region, else the person's region, else the issuer's region. ``cases`` and
    ``loss`` repeat the region's ``CaseDaily`` rows of the day, so that a time series (a year by
    week) reads this one small table instead of both.
    """

    day = models.DateField()
    region = models.ForeignKey("agencies.Region", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    cases = models.PositiveIntegerField(default=0)
    loss = models.DecimalField(**MONEY)
    requests_issued = models.PositiveIntegerField(default=0)
    requests_completed = models.PositiveIntegerField(default=0)
    requests_within = models.PositiveIntegerField(default=0)
    requests_overdue = models.PositiveIntegerField(default=0)
    stop_count = models.PositiveIntegerField(default=0)
    stopped = models.DecimalField(**MONEY)
    freeze_count = models.PositiveIntegerField(default=0)
    frozen = models.DecimalField(**MONEY)
    returned = models.DecimalField(**MONEY)
    signals = models.PositiveIntegerField(default=0)
    dissuaded = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("区域日汇总")
        verbose_name_plural = _("区域日汇总")
        constraints = [models.UniqueConstraint(fields=["day", "region"], name="uniq_region_daily")]
        indexes = [
            models.Index(fields=["day", "region_path"], name="region_daily_day_path",
                         opclasses=["date_ops", "varchar_pattern_ops"]),
        ]


class RequestDaily(models.Model):
    """Requests received by one agency, of one kind, issued on one local day, and their fate.

    A dissuasion task counts for both the station and the community it went to. Durations (in
    seconds, from delivery to acknowledgement / completion) are kept whole so that percentiles
    over any period are exact, not estimated from buckets.
    """

    day = models.DateField()
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    within_deadline = models.PositiveIntegerField(default=0)
    with_ack_deadline = models.PositiveIntegerField(default=0)
    ack_in_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    outcome_dissuaded = models.PositiveIntegerField(default=0)
    outcome_already_paid = models.PositiveIntegerField(default=0)
    outcome_unreachable = models.PositiveIntegerField(default=0)
    # Stop-payments and first freezes: the money asked for and the money the agency held.
    amount_requested = models.DecimalField(**MONEY)
    amount_held = models.DecimalField(**MONEY)
    # Lists of whole seconds (JSON, so the embedded SQLite mode works too).
    ack_seconds = models.JSONField(default=list)
    complete_seconds = models.JSONField(default=list)

    class Meta:
        verbose_name = _("请求日汇总")
        verbose_name_plural = _("请求日汇总")
        constraints = [models.UniqueConstraint(fields=["day", "agency", "kind"], name="uniq_request_daily")]
        indexes = [models.Index(fields=["day", "agency"], name="request_daily_day_agency")]


class TimingMonthly(models.Model):
    """Each agency's acknowledgement and completion seconds over a calendar month: p50 and p95.

    Percentiles do not add up, so a month's come from every request's seconds (the
    ``RequestDaily`` lists: some 480,000 values at 1M cases a year, 120 ms to read and order).
    The refresh that recomputes a day recomputes its month's here, off the request path; the
    assessment's detail (the API, frozen results) reads them for a month-long period.
    """

    month = models.DateField()
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    ack_p50 = models.PositiveIntegerField(null=True)
    ack_p95 = models.PositiveIntegerField(null=True)
    complete_p50 = models.PositiveIntegerField(null=True)
    complete_p95 = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("办理用时月汇总")
        verbose_name_plural = _("办理用时月汇总")
        constraints = [models.UniqueConstraint(fields=["month", "agency"], name="uniq_timing_monthly")]


class DirtyMark(models.Model):
    """A mark that one local day's rollups are stale: one row inserted in the same transaction as the change.

    Insert-only (no upsert on a shared row), so concurrent writers never wait on each other; the
    refresh deletes the marks it saw and recomputes their days in one transaction (see
    ``rollups.refresh_dirty``).
    """

    id = models.BigAutoField(primary_key=True)
    day = models.DateField()

    class Meta:
        verbose_name = _("待刷新日期")
        verbose_name_plural = _("待刷新日期")


class Rectification(models.Model):
    """An area listed for rectification (挂牌整治) by the office, tracked weekly until delisted."""

    region = models.ForeignKey(
        "agencies.Region", verbose_name=_("整治区域"), on_delete=models.PROTECT, related_name="rectifications"
    )
    responsible_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    reason = models.CharField(_("挂牌原因"), max_length=300)
    listed_on = models.DateField(_("挂牌日期"))
    deadline = models.DateField(_("整治期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.LISTED, db_index=True
    )
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delisted_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delist_note = models.CharField(_("摘牌说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("挂牌整治")
        verbose_name_plural = _("挂牌整治")
        ordering = ["status", "deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(status="listed"), name="uniq_listed_region"
            )
        ]

    def __str__(self):
        return str(self.region)


class AssessmentWeights(models.Model):
    """The office's current weights (one row). New periods copy them; old periods keep theirs."""

    weights = models.JSONField(_("权重"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核权重")
        verbose_name_plural = _("考核权重")


class AssessmentPeriod(models.Model):
    """One assessment period (usually a month) with the weights it is scored by.

    While open, its figures are computed from the rollups; closing it stores every agency's
    metrics and score (``AssessmentResult``), so a closed period never changes.
    """

    name = models.CharField(_("名称"), max_length=50)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    weights = models.JSONField(_("权重"), default=dict)
    closed_at = models.DateTimeField(_("结束考核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="uniq_assessment_period")]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AssessmentResult(models.Model):
    """One agency's frozen metrics and score in a closed period."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="results")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    metrics = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [models.UniqueConstraint(fields=["period", "agency"], name="uniq_assessment_result")]
