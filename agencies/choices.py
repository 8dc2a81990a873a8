from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("区县")
    TOWN = 4, _("乡镇/街道")
    COMMUNITY = 5, _("社区/村")


class AgencyKind(models.TextChoices):
    ANTI_FRAUD_CENTRE = "centre", _("反诈中心")
    POLICE_STATION = "station", _("派出所")
    BANK = "bank", _("银行")
    PAYMENT_INSTITUTION = "payment", _("支付机构")
    CARRIER = "carrier", _("运营商")
    INTERNET_PLATFORM = "platform", _("互联网企业")
    COMMUNITY = "community", _("社区")
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")
    PUBLICITY_DEPARTMENT = "publicity", _("宣传部")
    LEADERSHIP_OFFICE = "leadership", _("联席办")


# Kinds that see cases by region (the police); the others see only what is addressed or shared.
POLICE_KINDS = frozenset({AgencyKind.ANTI_FRAUD_CENTRE, AgencyKind.POLICE_STATION})
# Kinds that receive and action requests from the centre through an inbox.
RECEIVING_KINDS = frozenset(
    {
        AgencyKind.BANK,
        AgencyKind.PAYMENT_INSTITUTION,
        AgencyKind.CARRIER,
        AgencyKind.INTERNET_PLATFORM,
    }
)


class Role(models.TextChoices):
    """One role per user, the same set in every agency (see README, "Roles")."""

    ANALYST = "analyst", _("研判员")
    OFFICER = "officer", _("经办人员")
    SUPERVISOR = "supervisor", _("主管")
    AGENCY_ADMIN = "agency_admin", _("单位管理员")
    GRID_WORKER = "grid_worker", _("网格员")
    VIEWER = "viewer", _("只读")


class RoutingKeyKind(models.TextChoices):
    CARD_PREFIX = "card_prefix", _("卡号/账号前缀")
    NUMBER_SEGMENT = "number_segment", _("号段")
    DOMAIN = "domain", _("域名")
    APP_ID = "app_id", _("应用标识")


class RoutingKeyStatus(models.TextChoices):
    """A key that overlaps another agency's waits for a centre's approval; routing ignores it."""

    PENDING = "pending", _("待审批")
    ACTIVE = "active", _("生效")
