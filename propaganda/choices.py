from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """The groups publicity is aimed at (the seeds name the first four)."""

    ELDERLY = "elderly", _("老年人")
    STUDENTS = "students", _("在校学生")
    FINANCE_STAFF = "finance_staff", _("企业财务人员")
    RURAL_LEFT_BEHIND = "rural_left_behind", _("农村留守人员")
    YOUTH_JOB_SEEKERS = "youth_job_seekers", _("求职青年")
    HOUSEWIVES = "homemakers", _("家庭主妇/宝妈")
    GENERAL = "general", _("普通居民")


class Channel(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("入户走访")
    LECTURE = "lecture", _("讲座")
    WECHAT_GROUP = "wechat_group", _("微信群")
    BROADCAST = "broadcast", _("广播")
    SHORT_VIDEO = "short_video", _("短视频")
    SMS = "sms", _("短信")
    POSTER = "poster", _("海报展板")


class ContentKind(models.TextChoices):
    ARTICLE = "article", _("文章")
    POSTER = "poster", _("海报")
    SCRIPT = "script", _("宣讲稿")
    VIDEO = "video", _("视频")


class ContentStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class TitleStatus(models.TextChoices):
    """A community's fraud-free title (无诈社区): applied, then decided by the office."""

    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("已授牌")
    REJECTED = "rejected", _("未通过")
    REVOKED = "revoked", _("已摘牌")
