"""Publicity services: scoping, photos, bulletins without personal data, DiD, fraud-free titles."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, PngImagePlugin

from events.models import Event
from propaganda import selectors, services
from propaganda.bulletins import week_bounds
from propaganda.models import BulletinReceipt, FraudFreeTitle, Outreach

from .conftest import id_number

# --- outreach scope ---------------------------------------------------------------------------


def test_community_b_cannot_see_or_edit_community_a_outreach(pw):
    mine = pw.outreach(by="grid_a")
    grid_b = pw.users["grid_b"]
    assert not Outreach.objects.restrict(grid_b).filter(pk=mine.pk).exists()
    assert Outreach.objects.restrict(pw.users["grid_a"]).filter(pk=mine.pk).exists()
    for who in ("publicity", "leader"):
        assert Outreach.objects.restrict(pw.users[who]).filter(pk=mine.pk).exists()
    # The district centre sees what was done in its district; a bank sees nothing of it.
    assert Outreach.objects.restrict(pw.users["county_analyst"]).filter(pk=mine.pk).exists()
    assert not Outreach.objects.restrict(pw.users["bank_a"]).filter(pk=mine.pk).exists()
    with pytest.raises(PermissionDenied):
        services.outreach_update(outreach=mine, actor=grid_b, data={"people_reached": 999})
    with pytest.raises(PermissionDenied):  # seeing all is not editing all
        services.outreach_update(outreach=mine, actor=pw.users["publicity"], data={"people_reached": 999})
    mine.refresh_from_db()
    assert mine.people_reached == 50


def test_outreach_rejects_other_areas_future_dates_and_unapproved_material(pw):
    from propaganda.services import content_create, content_review

    with pytest.raises(ValidationError) as exc:
        pw.outreach(by="grid_a", region="340403001001")  # Hupan is community B's area
    assert "region" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        pw.outreach(by="grid_a", day=timezone.localdate() + timedelta(days=1))
    assert "date" in exc.value.message_dict
    item = content_create(actor=pw.users["grid_a"], kind="script", title="入户宣讲稿", body="不转账")
    with pytest.raises(ValidationError) as exc:
        pw.outreach(by="grid_a", materials=[item])
    assert "materials" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        content_review(item=item, actor=pw.users["grid_a"], approve=True)
    content_review(item=item, actor=pw.users["publicity"], approve=True)
    item.refresh_from_db()
    assert pw.outreach(by="grid_a", materials=[item]).materials.get() == item


def test_bulk_round_saves_all_stops_or_none(pw):
    today = timezone.localdate()
    row = {"date": today, "place": "3栋", "channel": "door_to_door", "target_group": "elderly", "people_reached": 3}
    bad = dict(row, place="5栋", people_reached=0)
    with pytest.raises(ValidationError) as exc:
        services.outreach_bulk_create(actor=pw.users["grid_a"], rows=[row, bad])
    assert list(exc.value.rows) == [1] and "people_reached" in exc.value.rows[1]
    assert not Outreach.objects.exists()
    saved = services.outreach_bulk_create(actor=pw.users["grid_a"], rows=[row, dict(row, place="4栋")])
    assert [o.place for o in saved] == ["3栋", "4栋"]
    assert {o.region.code for o in saved} == {"340402001001"}  # default: the community's own area


# --- photos -----------------------------------------------------------------------------------


def _jpeg_with_gps(size=(40, 20)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (30.0, 15.0, 12.0)
    gps[3], gps[4] = "E", (117.0, 0.0, 5.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_exif_and_gps_are_stripped_and_orientation_kept(pw):
    raw = _jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as original:  # the fixture really carries GPS
        assert original.getexif().get_ifd(0x8825)[2] == (30.0, 15.0, 12.0)
    outreach = pw.outreach(photos=[SimpleUploadedFile("site.jpg", raw, content_type="image/jpeg")])
    photo = outreach.photos.get()
    stored = photo.image.read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG"
        assert dict(img.getexif()) == {}
        assert img.size == (20, 40)  # the orientation tag was applied to the pixels


def test_png_text_chunks_are_stripped(pw):
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Location", "30.25N 117.00E")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, format="PNG", pnginfo=meta)
    outreach = pw.outreach(photos=[SimpleUploadedFile("poster.png", out.getvalue(), content_type="image/png")])
    stored = outreach.photos.get().image.read()
    assert b"Location" not in stored and b"117.00E" not in stored
    assert outreach.photos.get().image.name.endswith(".png")


@pytest.mark.parametrize("name,payload", [
    ("fake.jpg", b"<html>not a photo</html>"),
    ("anim.gif", "gif"),
])
def test_photo_type_checked_by_content_not_name(pw, name, payload):
    if payload == "gif":
        out = io.BytesIO()
        Image.new("RGB", (5, 5)).save(out, format="GIF")
        payload = out.getvalue()
    with pytest.raises(ValidationError) as exc:
        pw.outreach(photos=[SimpleUploadedFile(name, payload)])
    assert "photos" in exc.value.message_dict
    assert not Outreach.objects.exists()  # the whole entry is refused, not saved without its photo


def test_photo_size_limit(pw, settings):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        pw.outreach(photos=[big])
    assert "MB" in exc.value.message_dict["photos"][0]


# --- bulletins --------------------------------------------------------------------------------


def _named_week(pw):
    """Last week's cases, whose victims (and narratives) carry names, ID numbers and phones."""
    start, _end = week_bounds(timezone.localdate() - timedelta(days=7))
    people = [
        {"name": "王秀英", "id_number": id_number("34040219520314002"), "phone": "13912345678", "age": 72,
         "gender": "F", "occupation": "退休教师"},
        {"name": "李建国", "id_number": id_number("34040219990101003"), "phone": "13698765432", "age": 24,
         "gender": "M", "occupation": "大学学生"},
        {"name": "赵会计", "id_number": id_number("34042119850606004"), "phone": "18855556666", "age": 39,
         "gender": "F", "occupation": "某公司出纳"},
    ]
    cases = [
        pw.case(day=start, typology="impersonate-police", loss="180000", victims=[people[0]]),
        pw.case(day=start + timedelta(days=1), typology="impersonate-police", loss="20000", victims=[people[1]],
                region="340402002001"),
        pw.case(day=start + timedelta(days=2), typology="brushing", loss="6000", victims=[people[2]],
                region="340421101001"),
    ]
    from cases.models import Case

    # A narrative as officers write it: names and numbers in free text must not leak either.
    Case.objects.filter(pk=cases[0].pk).update(narrative="王秀英接到自称公安的电话（13912345678）")
    pw.case(day=start - timedelta(days=3), typology="brushing")  # the week before
    return start, people


def test_bulletin_draft_carries_no_personal_data(pw):
    start, people = _named_week(pw)
    bulletin = services.bulletin_draft(actor=pw.users["analyst"], week_start=start)
    text = "\n".join([bulletin.title, bulletin.body, bulletin.advice, json.dumps(bulletin.figures, ensure_ascii=False)])
    for person in people:
        assert person["name"] not in text
        assert person["name"][0] + "某" not in text  # not even the surname-plus-mou form
        assert person["id_number"] not in text and person["id_number"][-6:] not in text
        assert person["phone"] not in text and person["phone"][-4:] not in text
        assert person["occupation"] not in text
    # ...and it is still a real bulletin: counts, change, leading typology, typical cases by band.
    assert "共接报电信网络诈骗案件3起" in bulletin.body and "上升200%" in bulletin.body
    assert bulletin.figures["typologies"][0] == {"code": "impersonate-police", "name": "冒充公检法", "count": 2,
                                                 "previous": 0, "change": "新增"}
    assert "东城区一名老年女性遭遇“冒充公检法”类诈骗，通过微信支付付款，损失10万至50万元。" in bulletin.body
    assert "在校学生" in bulletin.body and "企业财务人员" in bulletin.body
    assert {h["name"] for h in bulletin.figures["hot_spots"]} == {"人民路街道", "朝阳街道", "城关镇"}
    assert "96110" in bulletin.advice


def test_bulletin_edit_refuses_personal_data(pw):
    start, people = _named_week(pw)
    bulletin = services.bulletin_draft(actor=pw.users["analyst"], week_start=start)
    for bad in ("受害人王秀英被骗", "联系电话13912345678", "身份证 " + people[1]["id_number"]):
        with pytest.raises(ValidationError):
            services.bulletin_update(bulletin=bulletin, actor=pw.users["analyst"], title=bulletin.title,
                                     body=bulletin.body + "\n" + bad, advice=bulletin.advice)
    services.bulletin_update(bulletin=bulletin, actor=pw.users["analyst"], title="本周警情", body="请提高警惕。",
                             advice="")
    with pytest.raises(PermissionDenied):
        services.bulletin_update(bulletin=bulletin, actor=pw.users["publicity"], title="x", body="y", advice="")


def test_publishing_delivers_to_every_member_with_receipts(pw, django_capture_on_commit_callbacks):
    start, _people = _named_week(pw)
    bulletin = services.bulletin_draft(actor=pw.users["analyst"], week_start=start)
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=bulletin, actor=pw.users["analyst"])
    receivers = set(BulletinReceipt.objects.filter(bulletin=bulletin).values_list("agency__code", flat=True))
    # Every member serving W city: communities, stations, banks, carriers, province-wide platforms.
    assert {"cm-xingfuli", "cm-hupan", "ps-renmin", "bank-icbc", "tel-cmcc", "net-tencent", "w-publicity",
            "w-leadership", "dc-centre"} <= receivers
    assert "w-centre" not in receivers
    events = Event.objects.filter(kind="bulletin.published", payload__bulletin=bulletin.pk)
    # The event goes to whoever may see the bulletin: the receivers and the issuing centre.
    assert set(events.values_list("agency__code", flat=True)) == receivers | {"w-centre"}
    with pytest.raises(ValidationError):
        services.bulletin_publish(bulletin=bulletin, actor=pw.users["analyst"])
    with django_capture_on_commit_callbacks(execute=True):  # events are published after commit
        services.bulletin_open(bulletin=bulletin, user=pw.users["grid_a"])
    unread = BulletinReceipt.objects.filter(bulletin=bulletin, opened_at__isnull=True)
    assert "cm-xingfuli" not in set(unread.values_list("agency__code", flat=True))
    assert unread.count() == len(receivers) - 1
    assert Event.objects.filter(kind="bulletin.opened", agency=pw.agencies["w-centre"]).count() == 1


# --- campaign effect: difference in differences ----------------------------------------------


def test_campaign_effect_difference_in_differences(pw):
    today = timezone.localdate()
    starts = today - timedelta(days=60)
    campaign = services.campaign_create(actor=pw.users["publicity"], data={
        "title": "守护老人钱袋子", "message": "公检法不会电话办案", "target_groups": ["elderly"],
        "channels": ["door_to_door"], "starts_on": starts, "ends_on": starts + timedelta(days=29),
        "target_regions": [pw.regions["340402001001"]],  # 幸福里, 12,400 residents
    })
    # The campaign also reached 光明社区: it is then no control region.
    pw.outreach(by="publicity", day=starts + timedelta(days=3), region="340402001002", campaign=campaign)
    old = {"name": "老人", "age": 70}
    for i in range(6):  # treated, before: 6 cases (3 with an elderly victim)
        pw.case(day=starts - timedelta(days=1 + i), victims=[old] if i < 3 else None)
    for i in range(2):  # treated, during
        pw.case(day=starts + timedelta(days=5 + i))
    pw.case(day=starts - timedelta(days=31))  # treated, outside both windows
    for i in range(7):  # a control (湖畔社区), before
        pw.case(day=starts - timedelta(days=10), region="340403001001")
    for i in range(14):  # a control, during
        pw.case(day=starts + timedelta(days=10), region="340403001001")
    pw.case(day=starts + timedelta(days=2), region="340402001002")  # reached community: excluded
    pw.case(day=starts + timedelta(days=2), region="340402001")  # a street, not a community: excluded

    effect = selectors.campaign_effect(campaign=campaign, today=today)
    assert effect.before == (starts - timedelta(days=30), starts - timedelta(days=1))
    assert effect.after == (starts, starts + timedelta(days=29))
    assert (effect.treated.population, effect.treated.before_cases, effect.treated.after_cases) == (12400, 6, 2)
    # All 12 demo communities hold 127,200 residents; less the target and the reached one: 105,000.
    assert (effect.control.population, effect.control.before_cases, effect.control.after_cases) == (105000, 7, 14)
    assert "光明社区" not in {r.name for r in effect.control_regions}
    assert effect.treated.before_rate == pytest.approx(6 * 10000 / 12400, abs=1e-3)
    assert effect.treated.after_rate == pytest.approx(2 * 10000 / 12400, abs=1e-3)
    assert effect.control.change == pytest.approx(7 * 10000 / 105000, abs=1e-6)
    # (2 - 6) / 12,400 - (14 - 7) / 105,000, per 10,000 per 30 days: -3.2258 - 0.6667
    assert effect.did == pytest.approx(-4 * 10000 / 12400 - 7 * 10000 / 105000, abs=1e-6)
    assert "并非随机" in effect.caveat

    grouped = selectors.campaign_effect(campaign=campaign, today=today, groups_only=True)
    assert (grouped.treated.before_cases, grouped.treated.after_cases) == (3, 0)

    future = services.campaign_create(actor=pw.users["publicity"], data={
        "title": "未开始", "message": "x", "starts_on": today + timedelta(days=3), "ends_on": today + timedelta(days=9),
        "target_regions": [pw.regions["340402001001"]]})
    assert selectors.campaign_effect(campaign=future, today=today) is None


def test_targeting_ranks_regions_and_crosses_typology_with_group(pw):
    today = timezone.localdate()
    elderly = {"name": "甲", "age": 68}
    for _ in range(3):
        pw.case(day=today - timedelta(days=2), typology="impersonate-police", victims=[elderly],
                region="340421102001")  # 桥头村 in 桥头镇 (58,000)
    pw.case(day=today - timedelta(days=2), region="340402001001")  # 人民路街道 (96,000)
    pw.outreach(by="grid_a", people=960)
    rows = selectors.region_ranking(since=today - timedelta(days=30), until=today)
    assert rows[0].region.name == "桥头镇" and rows[0].cases == 3
    assert rows[0].case_rate == round(3 * 10000 / 58000, 2) and rows[0].coverage == 0 and rows[0].under_covered
    renmin = next(r for r in rows if r.region.name == "人民路街道")
    assert (renmin.cases, renmin.reached, renmin.coverage) == (1, 960, 100.0)
    table = selectors.typology_group_table(since=today - timedelta(days=30), until=today,
                                           within=pw.regions["340421"])
    elderly_col = [g for g, _label in table.groups].index("elderly")
    assert table.rows == [{"typology": "冒充公检法", "cells": [3 if i == elderly_col else 0
                                                               for i in range(len(table.groups))], "total": 3}]


# --- fraud-free communities -------------------------------------------------------------------


def test_fraud_free_status_computed_approved_and_lost(pw):
    from alerts.models import Request

    today = timezone.localdate()
    services.criteria_set(actor=pw.users["leader"], months_without_case=3, coverage_per_10k=100,
                          dissuaded_share=Decimal("100"))
    with pytest.raises(PermissionDenied):
        services.criteria_set(actor=pw.users["publicity"], months_without_case=1, coverage_per_10k=1,
                              dissuaded_share=Decimal("1"))
    xingfuli = pw.regions["340402001001"]
    pw.case(day=today - timedelta(days=130))  # four months ago: outside the 3-month run
    status = selectors.community_statuses(regions=[xingfuli])[0]
    assert status.no_case_ok and not status.coverage_ok and not status.meets
    with pytest.raises(ValidationError):
        services.title_apply(actor=pw.users["grid_a"])
    pw.outreach(by="grid_a", people=124)  # 100 per 10,000 of 12,400 residents
    # A warning dissuaded late breaks "every warning dissuaded in time".
    due = timezone.now() - timedelta(days=2)
    late = Request.objects.create(
        number="QZ-T-1", kind="dissuasion", status="completed", issuing_agency=pw.agencies["w-centre"],
        target_kind="person", target_value="x", person_region=xingfuli, outcome="dissuaded",
        complete_due_at=due, completed_at=due + timedelta(hours=3))
    status = selectors.community_statuses(regions=[xingfuli])[0]
    assert status.coverage == 100.0 and status.coverage_ok
    assert (status.warnings, status.dissuaded_in_time, status.dissuasion_ok) == (1, 0, False)
    Request.objects.filter(pk=late.pk).update(completed_at=due - timedelta(hours=1))
    status = selectors.community_statuses(regions=[xingfuli])[0]
    assert status.dissuaded_share == 100.0 and status.meets

    title = services.title_apply(actor=pw.users["grid_a"], statement="全年入户宣传")
    with pytest.raises(ValidationError):
        services.title_apply(actor=pw.users["grid_a"])
    with pytest.raises(PermissionDenied):
        services.title_decide(title=title, actor=pw.users["publicity"], approve=True)
    services.title_decide(title=title, actor=pw.users["leader"], approve=True)
    title.refresh_from_db()
    assert title.status == "approved"
    # A case in another community leaves the title alone; one in Xingfuli takes it away.
    pw.case(day=today, region="340403001001")
    assert FraudFreeTitle.objects.get(pk=title.pk).status == "approved"
    breaking = pw.case(day=today)
    title.refresh_from_db()
    assert title.status == "revoked" and breaking.number in title.revoked_reason
    assert not selectors.community_statuses(regions=[xingfuli])[0].meets


def test_sweep_revokes_titles_broken_by_bulk_loaded_cases(pw):
    from cases.models import Case

    services.criteria_set(actor=pw.users["leader"], months_without_case=3, coverage_per_10k=0,
                          dissuaded_share=Decimal("0"))
    title = services.title_apply(actor=pw.users["grid_a"])
    services.title_decide(title=title, actor=pw.users["leader"], approve=True)
    case = pw.case(day=timezone.localdate() - timedelta(days=200))  # old: the run is unbroken
    assert services.titles_sweep() == 0
    Case.objects.filter(pk=case.pk).update(occurred_at=timezone.now() - timedelta(days=1))  # like a COPY load
    assert services.titles_sweep() == 1
    assert FraudFreeTitle.objects.get(pk=title.pk).status == "revoked"


def test_demo_seed_is_idempotent_and_follows_the_rules(pw):
    from propaganda.demo import seed_publicity
    from propaganda.models import Bulletin, Campaign, ContentItem

    assert seed_publicity().startswith("2 campaigns")
    assert seed_publicity() == "publicity already present"
    assert Campaign.objects.count() == 2 and Bulletin.objects.count() == 1
    assert ContentItem.objects.filter(status="approved").count() == 2
    assert Outreach.objects.filter(agency__code="cm-xingfuli", campaign__isnull=False).exists()


def test_bulletin_edit_refuses_numbers_however_written_and_victims_names_however_spaced(pw):
    start, people = _named_week(pw)
    bulletin = services.bulletin_draft(actor=pw.users["analyst"], week_start=start)
    id_no = people[0]["id_number"]
    for bad in ("联系电话 138 0013 8000", "联系电话138-0013-8000", "电话１３８００１３８０００", "号码138****8000",
                "身份证后四位0038", "尾号0038的银行卡", "卡号后4位 1234", "身份证 %s %s %s" % (id_no[:6], id_no[6:14], id_no[14:]),
                "账户 6222 0202 0011 2233 445", "卡号6222****1234", "受害人王 秀英"):
        with pytest.raises(ValidationError):
            services.bulletin_update(bulletin=bulletin, actor=pw.users["analyst"], title=bulletin.title,
                                     body=bulletin.body + "\n" + bad, advice=bulletin.advice)
    # Figures, dates and the hotlines are not personal data.
    services.bulletin_update(bulletin=bulletin, actor=pw.users["analyst"], title="本周警情",
                             body="2024-03-12 共接报 12 起，涉案 1,000,000 元，上升200%。", advice="拨打 110 或 96110。")
