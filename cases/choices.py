from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("新报案")
    TRIAGED = "triaged", _("已研判")
    INVESTIGATING = "investigating", _("侦查中")
    SOLVED = "solved", _("已破案")
    CLOSED = "closed", _("已结案")


class PaymentChannel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    ALIPAY = "alipay", _("支付宝")
    WECHAT_PAY = "wechat_pay", _("微信支付")
    CASH = "cash", _("现金")
    CRYPTO = "crypto", _("虚拟货币")
    OTHER = "other", _("其他")


class PayeeKind(models.TextChoices):
    """What received a victim's payment: a bank or payment account, a crypto wallet, a merchant."""

    ACCOUNT = "account", _("银行卡/账号")
    WALLET = "wallet", _("虚拟货币钱包")
    MERCHANT = "merchant", _("商户")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未知")


class IndicatorKind(models.TextChoices):
    PHONE = "phone", _("电话号码")
    ACCOUNT = "account", _("银行卡/账号")
    URL = "url", _("网址/域名")
    APP = "app", _("应用")
    SOCIAL = "social", _("社交账号")
    WALLET = "wallet", _("虚拟货币钱包")
    IP = "ip", _("IP 地址")


class IndicatorRole(models.TextChoices):
    CALLING_NUMBER = "calling_number", _("主叫号码")
    SMS_NUMBER = "sms_number", _("短信号码")
    CONTACT_NUMBER = "contact_number", _("联系号码")
    RECEIVING_ACCOUNT_L1 = "receiving_account_l1", _("一级收款账户")
    RECEIVING_ACCOUNT_L2 = "receiving_account_l2", _("二级收款账户")
    RECEIVING_ACCOUNT_L3 = "receiving_account_l3", _("三级收款账户")
    PHISHING_URL = "phishing_url", _("钓鱼网址")
    FRAUD_APP = "fraud_app", _("涉诈应用")
    SOCIAL_ACCOUNT = "social_account", _("涉诈社交账号")
    CRYPTO_WALLET = "crypto_wallet", _("收款钱包")
    SOURCE_IP = "source_ip", _("来源 IP")
    OTHER = "other", _("其他")


class CloseReason(models.TextChoices):
    """Why a case was closed (asked for on every close)."""

    SOLVED = "solved", _("已破案")
    DUPLICATE = "duplicate", _("重复报案")
    NOT_FRAUD = "not_fraud", _("非诈骗")
    TRANSFERRED = "transferred", _("移交其他中心")


# Closed for one of these, a case no longer counts: not on dashboards, not in a ring.
UNCOUNTED_CLOSE_REASONS = (CloseReason.DUPLICATE, CloseReason.NOT_FRAUD)
class EvidenceKind(models.TextChoices):
    SCREENSHOT = "screenshot", _("截图")
    CHAT = "chat", _("聊天记录")
    PDF = "pdf", _("PDF 文档")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
