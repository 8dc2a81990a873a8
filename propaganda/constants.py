"""Figures the publicity rules are built on."""

from decimal import Decimal

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PER_OUTREACH = 6
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}  # what Pillow says the file is -> stored suffix

# Bulletins describe a victim only by these bands, never by anything that identifies a person.
AGE_BANDS = [(0, 18, "未成年"), (18, 30, "青年"), (30, 45, "中青年"), (45, 60, "中年"), (60, 200, "老年")]
AMOUNT_BANDS = [
    (Decimal("0"), Decimal("10000"), "万元以下"),
    (Decimal("10000"), Decimal("50000"), "1万至5万元"),
    (Decimal("50000"), Decimal("100000"), "5万至10万元"),
    (Decimal("100000"), Decimal("500000"), "10万至50万元"),
    (Decimal("500000"), None, "50万元以上"),
]
BULLETIN_TOP_TYPOLOGIES = 5
BULLETIN_TYPICAL_CASES = 3
BULLETIN_HOT_SPOTS = 5

# Occupation keywords that put a victim in a target group (see selectors.victim_group_expr).
STUDENT_WORDS = ("学生", "大学", "中学")
FINANCE_WORDS = ("财务", "会计", "出纳")
RURAL_WORDS = ("务农", "农民", "留守")
JOB_SEEKER_WORDS = ("待业", "求职", "无业", "应届")
ELDERLY_AGE = 60

# Per 10,000 residents: the unit of every rate on the targeting page.
PER = 10_000

# Advice printed under each leading typology in the weekly bulletin (by Typology.code).
ADVICE = {
    "brushing": "凡是刷单返利、做任务赚佣金的都是诈骗，先垫付后返利一律不信。",
    "online-shopping": "网购请走正规平台担保交易，不点陌生链接，不私下转账。",
    "fake-loan": "正规贷款放款前不收任何费用，要求先交保证金、解冻费的都是诈骗。",
    "impersonate-police": "公检法机关不会通过电话、网络办案，更没有“安全账户”，接到此类电话立即挂断并拨打 96110 核实。",
    "refund": "客服主动联系退款、理赔，要求下载会议软件或共享屏幕的一律是诈骗。",
    "investment": "网上“导师”“内幕消息”荐股荐币，高收益无风险的投资理财都是陷阱。",
    "game-trading": "游戏装备、账号交易请走官方平台，不到第三方网站付款。",
    "romance": "网上交友谈感情、却引导投资或借钱的，一律是诈骗。",
    "impersonate-acquaintance": "“领导”“熟人”通过社交软件要求转账，务必电话或当面核实。",
    "flight-rebooking": "航班退改签请通过航空公司官方渠道办理，不向所谓“客服”转账。",
}
GENERAL_ADVICE = "牢记“三不一多”：未知链接不点击，陌生来电不轻信，个人信息不透露，转账汇款多核实。如遇可疑情况请拨打 96110。"
