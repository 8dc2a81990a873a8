"""W city: the demo data set (regions, member agencies, routing keys, demo users).

Every write is an update-or-create on a natural key, so seeding twice changes nothing.
Populations follow the scale of the documents' cities (Huainan: about 3 million residents).
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .choices import AgencyKind, RegionLevel, Role, RoutingKeyKind
from .models import Agency, Region, RoutingKey, User

# (code, name, level, parent code, population)
REGIONS = [
    ("340000", "A省", RegionLevel.PROVINCE, None, 61_270_000),
    ("340400", "W市", RegionLevel.CITY, "340000", 3_030_000),
    ("340402", "东城区", RegionLevel.COUNTY, "340400", 820_000),
    ("340403", "西湖区", RegionLevel.COUNTY, "340400", 760_000),
    ("340421", "北山县", RegionLevel.COUNTY, "340400", 1_450_000),
    ("340402001", "人民路街道", RegionLevel.TOWN, "340402", 96_000),
    ("340402002", "朝阳街道", RegionLevel.TOWN, "340402", 88_000),
    ("340403001", "湖滨街道", RegionLevel.TOWN, "340403", 102_000),
    ("340403002", "新华街道", RegionLevel.TOWN, "340403", 74_000),
    ("340421101", "城关镇", RegionLevel.TOWN, "340421", 131_000),
    ("340421102", "桥头镇", RegionLevel.TOWN, "340421", 58_000),
    ("340402001001", "幸福里社区", RegionLevel.COMMUNITY, "340402001", 12_400),
    ("340402001002", "光明社区", RegionLevel.COMMUNITY, "340402001", 9_800),
    ("340402002001", "朝阳新村社区", RegionLevel.COMMUNITY, "340402002", 15_200),
    ("340402002002", "东风社区", RegionLevel.COMMUNITY, "340402002", 8_600),
    ("340403001001", "湖畔社区", RegionLevel.COMMUNITY, "340403001", 11_300),
    ("340403001002", "翠湖社区", RegionLevel.COMMUNITY, "340403001", 13_900),
    ("340403002001", "新华里社区", RegionLevel.COMMUNITY, "340403002", 10_700),
    ("340403002002", "学府社区", RegionLevel.COMMUNITY, "340403002", 16_800),
    ("340421101001", "城关社区", RegionLevel.COMMUNITY, "340421101", 14_100),
    ("340421101002", "南街社区", RegionLevel.COMMUNITY, "340421101", 7_900),
    ("340421102001", "桥头村", RegionLevel.COMMUNITY, "340421102", 3_600),
    ("340421102002", "柳湾村", RegionLevel.COMMUNITY, "340421102", 2_900),
]

# (code, name, kind, region code, parent code, duty contact, duty phone)
AGENCIES = [
    ("w-leadership", "W市打击治理电信网络诈骗联席办", AgencyKind.LEADERSHIP_OFFICE, "340400", None, "周主任", "0554-6600001"),
    ("w-centre", "W市公安局反诈中心", AgencyKind.ANTI_FRAUD_CENTRE, "340400", None, "值班研判组", "0554-96110"),
    ("dc-centre", "东城区公安分局反诈中心", AgencyKind.ANTI_FRAUD_CENTRE, "340402", "w-centre", "值班室", "0554-6601110"),
    ("ps-renmin", "人民路派出所", AgencyKind.POLICE_STATION, "340402001", "dc-centre", "值班民警", "0554-6602110"),
    ("ps-chaoyang", "朝阳派出所", AgencyKind.POLICE_STATION, "340402002", "dc-centre", "值班民警", "0554-6603110"),
    ("ps-hubin", "湖滨派出所", AgencyKind.POLICE_STATION, "340403001", "w-centre", "值班民警", "0554-6604110"),
    ("ps-chengguan", "城关派出所", AgencyKind.POLICE_STATION, "340421101", "w-centre", "值班民警", "0554-6605110"),
    ("bank-icbc", "工商银行W市分行", AgencyKind.BANK, "340400", None, "运营管理部", "0554-6610001"),
    ("bank-abc", "农业银行W市分行", AgencyKind.BANK, "340400", None, "风险管理部", "0554-6610002"),
    ("bank-ccb", "建设银行W市分行", AgencyKind.BANK, "340400", None, "运营中心", "0554-6610003"),
    ("bank-cmb", "招商银行W市分行", AgencyKind.BANK, "340400", None, "反诈专班", "0554-6610004"),
    ("pay-alipay", "支付宝（W市联络处）", AgencyKind.PAYMENT_INSTITUTION, "340400", None, "风控联络", "0571-95188"),
    ("tel-cmcc", "中国移动W市分公司", AgencyKind.CARRIER, "340400", None, "信息安全部", "0554-10086"),
    ("tel-cucc", "中国联通W市分公司", AgencyKind.CARRIER, "340400", None, "网络安全部", "0554-10010"),
    ("tel-ctcc", "中国电信W市分公司", AgencyKind.CARRIER, "340400", None, "安全管控中心", "0554-10000"),
    ("net-tencent", "腾讯（反诈联络）", AgencyKind.INTERNET_PLATFORM, "340000", None, "安全联络", "0755-86013388"),
    ("net-bytedance", "字节跳动（反诈联络）", AgencyKind.INTERNET_PLATFORM, "340000", None, "安全联络", "010-58341000"),
    ("cm-xingfuli", "幸福里社区居委会", AgencyKind.COMMUNITY, "340402001001", None, "网格长", "0554-6621001"),
    ("cm-guangming", "光明社区居委会", AgencyKind.COMMUNITY, "340402001002", None, "网格长", "0554-6621002"),
    ("cm-chaoyangxc", "朝阳新村社区居委会", AgencyKind.COMMUNITY, "340402002001", None, "网格长", "0554-6621003"),
    ("cm-hupan", "湖畔社区居委会", AgencyKind.COMMUNITY, "340403001001", None, "网格长", "0554-6621004"),
    ("cm-xuefu", "学府社区居委会", AgencyKind.COMMUNITY, "340403002002", None, "网格长", "0554-6621005"),
    ("cm-chengguan", "城关社区居委会", AgencyKind.COMMUNITY, "340421101001", None, "网格长", "0554-6621006"),
    ("w-procuratorate", "W市人民检察院", AgencyKind.PROCURATORATE, "340400", None, "案管中心", "0554-12309"),
    ("w-court", "W市中级人民法院", AgencyKind.COURT, "340400", None, "立案庭", "0554-12368"),
    ("w-publicity", "W市委宣传部", AgencyKind.PUBLICITY_DEPARTMENT, "340400", None, "新闻科", "0554-6630001"),
]

_CMCC = "134 135 136 137 138 139 147 150 151 152 157 158 159 172 178 182 183 184 187 188 195 197 198"
_CUCC = "130 131 132 145 155 156 166 167 171 175 176 185 186 196"
_CTCC = "133 149 153 162 173 174 177 180 181 189 190 191 193 199"

ROUTING_KEYS = {
    "bank-icbc": [(RoutingKeyKind.CARD_PREFIX, v) for v in ("622202", "621226", "620058", "955880")],
    "bank-abc": [(RoutingKeyKind.CARD_PREFIX, v) for v in ("622848", "622845", "103")],
    "bank-ccb": [(RoutingKeyKind.CARD_PREFIX, v) for v in ("621700", "622700", "436742")],
    "bank-cmb": [(RoutingKeyKind.CARD_PREFIX, v) for v in ("622588", "621483", "410062")],
    "pay-alipay": [(RoutingKeyKind.CARD_PREFIX, "2088"), (RoutingKeyKind.APP_ID, "com.eg.android.AlipayGphone")],
    "tel-cmcc": [(RoutingKeyKind.NUMBER_SEGMENT, v) for v in _CMCC.split()],
    "tel-cucc": [(RoutingKeyKind.NUMBER_SEGMENT, v) for v in _CUCC.split()],
    "tel-ctcc": [(RoutingKeyKind.NUMBER_SEGMENT, v) for v in _CTCC.split()],
    "net-tencent": [
        (RoutingKeyKind.DOMAIN, "qq.com"),
        (RoutingKeyKind.DOMAIN, "url.cn"),
        (RoutingKeyKind.DOMAIN, "weixin.qq.com"),
        (RoutingKeyKind.APP_ID, "com.tencent.mm"),
        (RoutingKeyKind.APP_ID, "com.tencent.mobileqq"),
    ],
    "net-bytedance": [
        (RoutingKeyKind.DOMAIN, "douyin.com"),
        (RoutingKeyKind.DOMAIN, "iesdouyin.com"),
        (RoutingKeyKind.APP_ID, "com.ss.android.ugc.aweme"),
    ],
}

# (username, display name, agency code, role, is_service_account)
USERS = [
    ("analyst", "李研判", "w-centre", Role.ANALYST, False),
    ("supervisor", "王主管", "w-centre", Role.SUPERVISOR, False),
    ("county_analyst", "赵研判", "dc-centre", Role.ANALYST, False),
    ("officer", "陈民警", "ps-renmin", Role.OFFICER, False),
    ("officer_b", "刘民警", "ps-hubin", Role.OFFICER, False),
    ("bank_a", "张柜员", "bank-icbc", Role.OFFICER, False),
    ("bank_a_api", "工行核心系统", "bank-icbc", Role.OFFICER, True),
    ("bank_b", "孙专员", "bank-abc", Role.OFFICER, False),
    ("bank_c", "吴专员", "bank-ccb", Role.OFFICER, False),
    ("carrier_a", "周工程师", "tel-cmcc", Role.OFFICER, False),
    ("carrier_b", "郑工程师", "tel-cucc", Role.OFFICER, False),
    ("platform_a", "钱审核", "net-tencent", Role.OFFICER, False),
    ("grid_a", "何网格员", "cm-xingfuli", Role.GRID_WORKER, False),
    ("grid_b", "许网格员", "cm-hupan", Role.GRID_WORKER, False),
    ("prosecutor", "冯检察官", "w-procuratorate", Role.OFFICER, False),
    ("publicity", "韩宣传", "w-publicity", Role.OFFICER, False),
    ("leader", "周主任", "w-leadership", Role.SUPERVISOR, False),
    ("centre_admin", "反诈中心管理员", "w-centre", Role.AGENCY_ADMIN, False),
]


@transaction.atomic
def seed_agencies(*, password: str | None = None) -> dict[str, int]:
    """Create or update W city's regions, agencies, routing keys and demo users."""
    password = password or settings.DEMO_PASSWORD
    regions: dict[str, Region] = {}
    for code, name, level, parent, population in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": level, "parent": regions.get(parent), "population": population},
        )
    agencies: dict[str, Agency] = {}
    for code, name, kind, region, parent, contact, phone in AGENCIES:
        agencies[code], _ = Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region": regions[region],
                "parent": agencies.get(parent),
                "duty_contact": contact,
                "duty_phone": phone,
                "is_active": True,
            },
        )
    for code, keys in ROUTING_KEYS.items():
        for kind, value in keys:
            RoutingKey.objects.get_or_create(agency=agencies[code], kind=kind, value=value)
    # Every demo user has the same password: hash it once (a hash costs a good fraction of a
    # second on purpose), not once per user.
    hashed = None
    for username, name, agency, role, service in USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": name,
                "agency": agencies[agency],
                "role": role,
                "is_service_account": service,
                # Agency admins manage their agency in the console; the admin site is superusers'.
                "is_staff": False,
            },
        )
        if created or not user.check_password(password):
            hashed = hashed or make_password(password)
            user.password = hashed
            user.save(update_fields=["password"])
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "平台管理员"}
    )
    if created or not admin.check_password(password):
        admin.set_password(password)
        admin.save(update_fields=["password"])
    return {"regions": len(regions), "agencies": len(agencies), "users": len(USERS) + 1}
