"""Publicity pages: scoping (404), the round form, bulletins inbox and receipts, the other pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from propaganda import services
from propaganda.bulletins import week_bounds
from propaganda.models import Outreach


@pytest.fixture
def as_user(client):
    def login(pw, username):
        client.force_login(pw.users[username])
        return client

    return login


def test_community_b_gets_404_on_community_a_outreach_pages(pw, as_user):
    mine = pw.outreach(by="grid_a")
    b = as_user(pw, "grid_b")
    assert b.get(reverse("propaganda:outreach_detail", args=[mine.pk])).status_code == 404
    assert b.get(reverse("propaganda:outreach_edit", args=[mine.pk])).status_code == 404
    assert b.post(reverse("propaganda:outreach_edit", args=[mine.pk]), {"place": "x"}).status_code == 404
    assert "小区广场" not in b.get(reverse("propaganda:outreach_list")).content.decode()
    a = as_user(pw, "grid_a")
    assert a.get(reverse("propaganda:outreach_detail", args=[mine.pk])).status_code == 200
    assert "小区广场" in a.get(reverse("propaganda:outreach_list")).content.decode()


def test_round_form_saves_every_filled_stop_and_explains_errors(pw, as_user):
    a = as_user(pw, "grid_a")
    today = timezone.localdate().isoformat()
    base = {"date": today, "region": pw.regions["340402001001"].pk, "channel": "door_to_door", "campaign": "",
            "stops-TOTAL_FORMS": "3", "stops-INITIAL_FORMS": "0", "stops-MIN_NUM_FORMS": "0",
            "stops-MAX_NUM_FORMS": "40"}
    stops = {"stops-0-place": "1栋", "stops-0-target_group": "elderly", "stops-0-people_reached": "4",
             "stops-1-place": "2栋", "stops-1-target_group": "general", "stops-1-people_reached": "",
             "stops-2-place": "", "stops-2-target_group": "elderly", "stops-2-people_reached": ""}
    bad = a.post(reverse("propaganda:outreach_round"), {**base, **stops})
    assert bad.status_code == 400 and "请填写覆盖人数。" in bad.content.decode()
    assert not Outreach.objects.exists()
    stops["stops-1-people_reached"] = "6"
    ok = a.post(reverse("propaganda:outreach_round"), {**base, **stops})
    assert ok.status_code == 302
    assert sorted(Outreach.objects.values_list("place", "people_reached")) == [("1栋", 4), ("2栋", 6)]
    a.cookies["django_language"] = "en"  # pages follow the language switch, not the browser
    english = a.post(reverse("propaganda:outreach_round"), {**base, "date": "", "stops-TOTAL_FORMS": "0"})
    assert english.status_code == 400 and "This field is required." in english.content.decode()


def test_bulletin_inbox_detail_opens_receipt_and_receipts_page(pw, as_user, django_capture_on_commit_callbacks):
    start, _end = week_bounds(timezone.localdate() - timedelta(days=7))
    pw.case(day=start + timedelta(days=2), typology="romance")
    centre = as_user(pw, "analyst")
    response = centre.post(reverse("propaganda:bulletin_draft"), {"week_start": start.isoformat()})
    assert response.status_code == 302
    from propaganda.models import Bulletin

    bulletin = Bulletin.objects.get()
    assert centre.get(reverse("propaganda:bulletin_edit", args=[bulletin.pk])).status_code == 200
    leak = centre.post(reverse("propaganda:bulletin_edit", args=[bulletin.pk]),
                       {"title": bulletin.title, "body": "请联系 13800001111", "advice": ""})
    assert leak.status_code == 400 and "个人信息" in leak.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert centre.post(reverse("propaganda:bulletin_publish", args=[bulletin.pk])).status_code == 302
    grid = as_user(pw, "grid_a")
    rows = grid.get(reverse("propaganda:bulletin_inbox_rows")).content.decode()
    assert bulletin.title in rows and "未读" in rows
    assert grid.get(reverse("propaganda:bulletin_detail", args=[bulletin.pk])).status_code == 200
    assert "未读" not in grid.get(reverse("propaganda:bulletin_inbox_rows")).content.decode()
    assert grid.get(reverse("propaganda:bulletin_receipts", args=[bulletin.pk])).status_code == 403
    centre = as_user(pw, "analyst")
    page = centre.get(reverse("propaganda:bulletin_receipts", args=[bulletin.pk])).content.decode()
    assert "幸福里社区居委会" in page and "湖畔社区居委会" in page
    unopened = centre.get(reverse("propaganda:bulletin_receipts", args=[bulletin.pk]) + "?partial=1").context["unopened"]
    assert "幸福里社区居委会" not in {r.agency.name for r in unopened} and len(unopened) > 20


@pytest.mark.parametrize("username", ["grid_a", "publicity", "analyst", "leader"])
def test_publicity_pages_render_for_each_kind_of_member(pw, as_user, username):
    today = timezone.localdate()
    campaign = services.campaign_create(actor=pw.users["publicity"], data={
        "title": "反诈进社区", "message": "不听不信不转账", "target_groups": ["elderly"],
        "starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=10),
        "target_regions": [pw.regions["340402001001"]]})
    pw.outreach(by="grid_a", campaign=campaign)
    c = as_user(pw, username)
    names = ["home", "outreach_list", "outreach_new", "outreach_round", "campaign_list", "content_list",
             "content_new", "bulletin_list", "communities"]
    for name in names:
        assert c.get(reverse(f"propaganda:{name}")).status_code == 200, name
    assert c.get(reverse("propaganda:campaign_detail", args=[campaign.pk])).status_code == 200
    targeting = c.get(reverse("propaganda:targeting")).status_code
    assert targeting == (403 if username == "grid_a" else 200)
    new_campaign = c.get(reverse("propaganda:campaign_new")).status_code
    assert new_campaign == (200 if username in ("publicity", "analyst") else 403)


def test_content_approval_and_fraud_free_application_pages(pw, as_user):
    grid = as_user(pw, "grid_a")
    assert grid.post(reverse("propaganda:content_new"), {"kind": "script", "title": "入户讲稿", "body": "..."}).status_code == 302
    from propaganda.models import ContentItem

    item = ContentItem.objects.get()
    assert grid.post(reverse("propaganda:content_review", args=[item.pk, "approve"])).status_code == 403
    pub = as_user(pw, "publicity")
    assert pub.post(reverse("propaganda:content_review", args=[item.pk, "approve"])).status_code == 302
    assert ContentItem.objects.get().status == "approved"
    leader = as_user(pw, "leader")
    leader.post(reverse("propaganda:criteria"), {"months_without_case": 3, "coverage_per_10k": 0, "dissuaded_share": 0})
    grid = as_user(pw, "grid_a")
    assert grid.post(reverse("propaganda:apply"), {"statement": "全员入户"}).status_code == 302
    from propaganda.models import FraudFreeTitle

    title = FraudFreeTitle.objects.get()
    leader = as_user(pw, "leader")
    assert leader.post(reverse("propaganda:decide", args=[title.pk, "approve"])).status_code == 302
    assert FraudFreeTitle.objects.get().status == "approved"
    page = leader.get(reverse("propaganda:communities")).content.decode()
    assert "已授牌" in page
