from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    STOP_PAYMENT = "stop_payment", _("紧急止付")
    FREEZE = "freeze", _("冻结")
    NUMBER_BLOCK = "number_block", _("号码阻断")
    TAKEDOWN = "takedown", _("涉诈网址/账号处置")
    INFO_QUERY = "info_query", _("信息查询")
    DISSUASION = "dissuasion", _("劝阻任务")
    # An instalment of an approved return proposal: the bank holding frozen money returns it to
    # a victim (alerts.services.return_proposals); never issued by hand.
    FUND_RETURN = "fund_return", _("资金返还")


class RequestStatus(models.TextChoices):
    CREATED = "created", _("已创建")
    DELIVERED = "delivered", _("已送达")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    COMPLETED = "completed", _("已办结")
    REJECTED = "rejected", _("已退回")
    FAILED = "failed", _("失败")


OPEN_STATUSES = (RequestStatus.CREATED, RequestStatus.DELIVERED, RequestStatus.ACKNOWLEDGED)


class TargetKind(models.TextChoices):
    ACCOUNT = "account", _("银行卡/账号")
    PHONE = "phone", _("电话号码")
    URL = "url", _("网址")
    APP = "app", _("应用")
    SOCIAL = "social", _("社交账号")
    PERSON = "person", _("人员")


class FreezeAction(models.TextChoices):
    FREEZE = "freeze", _("冻结")
    RENEW = "renew", _("续冻")
    RELEASE = "release", _("解冻")


class DissuasionOutcome(models.TextChoices):
    DISSUADED = "dissuaded", _("已劝阻")
    ALREADY_PAID = "already_paid", _("已被骗")
    UNREACHABLE = "unreachable", _("联系不上")


class MoneyOutcome(models.TextChoices):
    """A bank's answer to a stop-payment or freeze."""

    HELD = "held", _("已全额止付")
    PARTLY_HELD = "partly_held", _("部分止付")
    WITHDRAWN_CASH = "withdrawn_cash", _("已被取现")
    ACCOUNT_CLOSED = "account_closed", _("账户已销户")
    NOT_OUR_ACCOUNT = "not_our_account", _("非本行账户")


class BlockOutcome(models.TextChoices):
    """A carrier's answer to a number block."""

    BLOCKED = "blocked", _("已阻断")
    NOT_SUBSCRIBER = "not_subscriber", _("非本网用户")
    PORTED = "ported", _("已携号转网")
    ALREADY_CANCELLED = "already_cancelled", _("号码已注销")


class TakedownOutcome(models.TextChoices):
    """A platform's answer to a takedown."""

    REMOVED = "removed", _("已处置")
    NOT_OUR_SERVICE = "not_our_service", _("非本平台服务")
    REFUSED = "refused", _("拒绝处置")


# The structured answers each request kind takes (Request.disposition).
DISPOSITIONS = {
    RequestKind.STOP_PAYMENT: MoneyOutcome,
    RequestKind.FREEZE: MoneyOutcome,
    RequestKind.NUMBER_BLOCK: BlockOutcome,
    RequestKind.TAKEDOWN: TakedownOutcome,
}


class Direction(models.TextChoices):
    IN = "in", _("收到的")
    OUT = "out", _("发出的")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


_labels: dict[tuple, str] = {}


def choice_label(choices, value: str) -> str:
    """The label of ``value`` among ``choices`` in the active language (the value itself when it
    is not among them).

    Not ``get_FOO_display()``: that rebuilds a dict of the field's choices, hashing every lazy
    label (a translation lookup each), per call: most of an inbox poll's time in profiles. Kept
    per language: a delivery batch builds three views of each request, two labels each, and
    translating them was a sixteenth of the worker's CPU (the catalogues are fixed while a
    process runs).
    """
    key = (get_language(), choices, value)
    label = _labels.get(key)
    if label is None:
        try:
            label = _labels[key] = str(choices(value).label)
        except ValueError:  # a value no longer among the choices: shown as stored
            return value
    return label
