"""Publicity demo data: content, two campaigns, a few weeks of outreach, criteria, a bulletin.

Idempotent: skipped when campaigns already exist. Written through the services, so the demo
obeys the same rules (areas, approvals, periods) as real users.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from agencies.models import Region, User
from cases.models import Typology

from . import services
from .models import Campaign


@transaction.atomic
def seed_publicity() -> str:
    if Campaign.objects.exists():
        return "publicity already present"
    users = {u.username: u for u in User.objects.filter(username__in=["publicity", "grid_a", "grid_b", "leader",
                                                                        "analyst", "officer"])}
    if len(users) < 6:
        return "skipped (demo users missing)"
    today = timezone.localdate()
    typ = {t.code: t for t in Typology.objects.all()}
    region = {r.code: r for r in Region.objects.all()}
    script = services.content_create(actor=users["publicity"], kind="script", title="冒充公检法诈骗入户宣讲稿",
                                     typology=typ.get("impersonate-police"),
                                     body="公检法机关不会电话办案，不会要求转账到“安全账户”。接到此类电话请挂断并拨打 96110。")
    services.content_review(item=script, actor=users["publicity"], approve=True)
    poster = services.content_create(actor=users["publicity"], kind="poster", title="刷单返利就是诈骗（海报）",
                                     typology=typ.get("brushing"), link="https://example.org/posters/brushing.png")
    services.content_review(item=poster, actor=users["publicity"], approve=True)
    services.content_create(actor=users["grid_a"], kind="article", title="社区老人防骗十问",
                            body="1. 陌生来电自称公安怎么办？……")
    elderly = services.campaign_create(actor=users["publicity"], data={
        "title": "守护老人钱袋子", "message": "公检法不会电话办案，“安全账户”都是骗局",
        "typologies": [typ["impersonate-police"]] if "impersonate-police" in typ else [],
        "target_groups": ["elderly", "rural_left_behind"], "channels": ["door_to_door", "lecture", "broadcast"],
        "starts_on": today - timedelta(days=40), "ends_on": today + timedelta(days=20),
        "target_regions": [region["340402001"], region["340421102"]],
    })
    services.campaign_create(actor=users["analyst"], data={
        "title": "校园反诈周", "message": "刷单返利、游戏交易都是诈骗高发区",
        "typologies": [t for c, t in typ.items() if c in ("brushing", "game-trading")],
        "target_groups": ["students"], "channels": ["lecture", "short_video"],
        "starts_on": today + timedelta(days=7), "ends_on": today + timedelta(days=14),
        "target_regions": [region["340403002"]],
    })
    entries = 0
    for days_ago in range(0, 35, 3):
        day = today - timedelta(days=days_ago)
        services.outreach_bulk_create(actor=users["grid_a"], rows=[
            {"date": day, "place": "幸福里%d栋" % (n + 1), "channel": "door_to_door", "target_group": "elderly",
             "people_reached": 6 + n, "campaign": elderly if day >= elderly.starts_on else None}
            for n in range(3)])
        entries += 3
    for days_ago in (2, 9, 16):
        services.outreach_create(actor=users["grid_b"], date=today - timedelta(days=days_ago), place="湖畔社区活动室",
                                 channel="lecture", target_group="general", people_reached=45)
        entries += 1
    services.criteria_set(actor=users["leader"], months_without_case=6, coverage_per_10k=300, dissuaded_share=90)
    services.bulletin_draft(actor=users["analyst"])  # last week's draft, for the centre to edit
    return "2 campaigns, %d outreach entries, 3 content items" % entries
