"""Demo data of the cases app: typologies, the benign warning list, a few hundred cases."""

from django.db import transaction

from .choices import IndicatorKind
from .models import BenignIndicator, Case, Typology
from .services_benign import benign_value

TYPOLOGIES = [
    ("brushing", "刷单返利", "Brushing / task scam"),
    ("online-shopping", "虚假网络购物", "Fake online shopping"),
    ("fake-loan", "虚假贷款、信用卡", "Fake loans and credit cards"),
    ("impersonate-police", "冒充公检法", "Impersonating police, prosecutors, courts"),
    ("refund", "冒充电商物流客服退款", "Fake customer-service refund"),
    ("investment", "虚假投资理财", "Investment and wealth-management scam"),
    ("game-trading", "网络游戏产品虚假交易", "Game-item trading"),
    ("romance", "网络婚恋交友", "Romance and dating scam"),
    ("impersonate-acquaintance", "冒充熟人或领导", "Impersonating acquaintances or bosses"),
    ("flight-rebooking", "机票退改签", "Flight rebooking scam"),
]

# Values that must never tie cases together: official hotlines and main platform domains.
BENIGN = [
    (IndicatorKind.PHONE, "95588", "工商银行客服热线"),
    (IndicatorKind.PHONE, "95599", "农业银行客服热线"),
    (IndicatorKind.PHONE, "95533", "建设银行客服热线"),
    (IndicatorKind.PHONE, "95555", "招商银行客服热线"),
    (IndicatorKind.PHONE, "95188", "支付宝客服热线"),
    (IndicatorKind.PHONE, "10086", "中国移动客服"),
    (IndicatorKind.PHONE, "10010", "中国联通客服"),
    (IndicatorKind.PHONE, "10000", "中国电信客服"),
    (IndicatorKind.PHONE, "96110", "反诈预警劝阻专线"),
    (IndicatorKind.PHONE, "110", "报警电话"),
    (IndicatorKind.PHONE, "0554-96110", "W市反诈中心值班电话"),
    (IndicatorKind.URL, "taobao.com", "淘宝主域名"),
    (IndicatorKind.URL, "tmall.com", "天猫主域名"),
    (IndicatorKind.URL, "jd.com", "京东主域名"),
    (IndicatorKind.URL, "qq.com", "腾讯主域名"),
    (IndicatorKind.URL, "weixin.qq.com", "微信"),
    (IndicatorKind.URL, "alipay.com", "支付宝主域名"),
    (IndicatorKind.URL, "baidu.com", "百度主域名"),
    (IndicatorKind.URL, "gov.cn", "政府网站"),
]


@transaction.atomic
def seed_typologies_and_benign() -> str:
    for n, (code, name, name_en) in enumerate(TYPOLOGIES):
        Typology.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": n})
    for kind, raw, note in BENIGN:
        BenignIndicator.objects.get_or_create(kind=kind, value=benign_value(kind, raw), defaults={"note": note})
    return "%s typologies, %s benign values" % (len(TYPOLOGIES), len(BENIGN))


def seed_cases(n: int = 300) -> str:
    """A few hundred cases through the real intake (idempotent: skipped if cases exist)."""
    from .generator import write_via_services

    seed_typologies_and_benign()
    if Case.objects.exists():
        return "cases already present"
    return "%s cases" % write_via_services(n, seed=2024)
