from django.db import models
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    DAY = "day", _("按日")
    WEEK = "week", _("按周")
    MONTH = "month", _("按月")


class PeriodPreset(models.TextChoices):
    LAST_30 = "30d", _("近30天")
    WEEK = "week", _("本周")
    MONTH = "month", _("本月")
    QUARTER = "quarter", _("本季度")
    YEAR = "year", _("本年")
    CUSTOM = "custom", _("自定义")


class AgeGroup(models.TextChoices):
    UNDER_18 = "u18", _("18岁以下")
    AGE_18_34 = "18_34", _("18-34岁")
    AGE_35_59 = "35_59", _("35-59岁")
    AGE_60_PLUS = "60p", _("60岁及以上")
    UNKNOWN = "unknown", _("年龄不详")


class RectificationStatus(models.TextChoices):
    LISTED = "listed", _("挂牌整治中")
    DELISTED = "delisted", _("已摘牌")
