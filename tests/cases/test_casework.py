"""Issue 20, sections 1-4: editing a case with its history, notes with mentions, evidence files,
tasks; and who may see each of them (proved from the outside: pages and API)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases import services_edit, services_work
from cases.models import Case, CaseEvidence, CaseIndicator, CaseTask, Ring
from core.models import AuditEntry
from events.models import StagedEvent

from .support import id_number, new_case, world  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # uploads of these tests go nowhere shared


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def share(case, world, code, by="officer"):
    from cases.services import case_share

    case_share(case=case, actor=world.users[by], agency=world.agencies[code])


def staged(kind):
    return list(StagedEvent.objects.filter(kind=kind).order_by("id"))


# ---------------------------------------------------------------- 1. edit with history


def test_edit_records_each_field_before_and_after_on_timeline_and_audit(world):
    case = new_case(world, loss="5000.00")
    officer = world.users["officer"]
    edited = services_edit.case_edit(case=case, actor=officer, version=case.version,
                                     data={"loss_amount": Decimal("6200.50"), "narrative": "补充：又转账一笔"})
    assert edited.version == case.version + 1
    entry = case.timeline.get(kind="fields_edited")
    changes = {c["field"]: c for c in entry.detail["changes"]}
    assert changes["loss_amount"]["before"] == "5000.00" and changes["loss_amount"]["after"] == "6200.50"
    assert changes["narrative"]["before"] == "测试" and changes["narrative"]["after"] == "补充：又转账一笔"
    assert entry.actor == officer and entry.at is not None
    audit = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action="update").latest("id")
    assert audit.actor_username == "officer"
    assert {c["field"] for c in audit.detail["changes"]} == {"loss_amount", "narrative"}
    # The case page shows the change field by field, not a bare "修改".
    html = client_for(officer).get("/cases/%s/" % case.pk).content.decode()
    assert "5000.00" in html and "6200.50" in html and "损失金额（元）" in html


def test_second_concurrent_save_is_told_and_keeps_its_input(world):
    case = new_case(world, loss="5000.00")
    first, second = client_for(world.users["officer"]), client_for(world.users["analyst"])
    form = {"occurred_at": timezone.localtime(case.occurred_at).strftime("%Y-%m-%dT%H:%M"), "region": case.region_id,
            "typology": case.typology_id, "payment_channel": case.payment_channel, "version": case.version}
    # Both opened the edit page at the same version; the officer saves first.
    r = first.post("/cases/%s/edit/" % case.pk, {**form, "loss_amount": "7000", "narrative": "民警补充"})
    assert r.status_code == 302
    r = second.post("/cases/%s/edit/" % case.pk, {**form, "loss_amount": "8888", "narrative": "研判员的分析"})
    assert r.status_code == 409
    html = r.content.decode()
    assert 'data-testid="edit-conflict"' in html
    assert "研判员的分析" in html and "8888" in html  # nothing they typed is lost
    assert "7000.00" in html  # they are shown what the officer changed
    case.refresh_from_db()
    assert case.loss_amount == Decimal("7000.00") and case.narrative == "民警补充"
    # The re-shown form carries the current version: saving again now is a knowing overwrite.
    assert 'name="version" value="%s"' % case.version in html
    r = second.post("/cases/%s/edit/" % case.pk, {**form, "version": case.version, "loss_amount": "8888", "narrative": "研判员的分析"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.loss_amount == Decimal("8888.00")


def test_api_patch_with_stale_version_is_409_and_changes_nothing(world, api):
    case = new_case(world)
    client = api(world.users["analyst"])
    ok = client.patch("/api/v1/cases/%s/" % case.pk, {"narrative": "一", "version": case.version}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == case.version + 1
    stale = client.patch("/api/v1/cases/%s/" % case.pk, {"narrative": "二", "version": case.version}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    case.refresh_from_db()
    assert case.narrative == "一"


def test_removing_an_indicator_splits_the_ring(world):
    a = new_case(world, indicators=[("phone", "13811110001", "calling_number")])
    b = new_case(world, indicators=[("phone", "13811110001", "calling_number"), ("account", "6222020000000000111", "receiving_account_l1")])
    c = new_case(world, indicators=[("account", "6222020000000000111", "receiving_account_l1")])
    ring_ids = set(Case.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("ring_id", flat=True))
    assert len(ring_ids) == 1
    ring = Ring.objects.get(pk=ring_ids.pop())
    assert ring.case_count == 3
    link = CaseIndicator.objects.get(case=b, indicator__value="6222020000000000111")
    services_edit.case_indicator_remove(link=link, actor=world.users["officer"])
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.ring_id == b.ring_id == ring.pk and c.ring_id != ring.pk
    assert Ring.objects.get(pk=ring.pk).case_count == 2
    assert Ring.objects.get(pk=c.ring_id).case_count == 1
    entry = b.timeline.get(kind="indicator_removed")
    assert entry.detail["changes"][0]["before"].endswith("6222020000000000111（一级收款账户）")
    assert set(entry.detail["rings_after"]) == {ring.pk, c.ring_id}


def test_adding_an_indicator_joins_the_ring(world):
    a = new_case(world, indicators=[("url", "http://join.example-ring.cn/a", "phishing_url")])
    b = new_case(world)
    assert a.ring_id != b.ring_id
    services_edit.case_indicator_add(case=b, actor=world.users["officer"], kind="url", value="join.example-ring.cn/a", role="phishing_url")
    b.refresh_from_db()
    assert b.ring_id == Case.objects.get(pk=a.pk).ring_id
    assert b.ring.case_count == 2


def test_victim_edits_are_recorded_with_personal_data_masked(world):
    case = new_case(world)
    officer = world.users["officer"]
    victim = services_edit.victim_add(case=case, actor=officer, data={"name": "李四", "id_number": id_number("34040219700101123"), "age": 72})
    services_edit.victim_edit(victim=victim, actor=officer, data={"name": "李四", "phone": "13955556666", "age": 73,
                                                                   "id_number": victim.id_number, "gender": "M"})
    entry = case.timeline.get(kind="victim_edited")
    changes = {c["field"]: c for c in entry.detail["changes"]}
    assert changes["age"] == {"field": "age", "label": "年龄", "before": "72", "after": "73"}
    assert "13955556666" not in str(entry.detail) and "139****6666" in changes["phone"]["after"]
    assert "13955556666" not in str(AuditEntry.objects.filter(detail__what="victim_edited").values_list("detail", flat=True))
    services_edit.victim_remove(victim=victim, actor=officer)
    assert case.victims.count() == 1
    with pytest.raises(Exception):
        services_edit.victim_remove(victim=case.victims.get(), actor=officer)  # a case keeps one victim


def test_transaction_added_links_its_receiving_account(world):
    a = new_case(world, indicators=[("account", "6222020000000000999", "receiving_account_l1")])
    b = new_case(world)
    txn = services_edit.transaction_add(case=b, actor=world.users["officer"], data={
        "occurred_at": timezone.now() - timedelta(hours=1), "amount": "1200", "payee_kind": "account",
        "payee_account": "6222 0200 0000 0000 999", "channel": "bank_transfer"})
    b.refresh_from_db()
    assert b.ring_id == Case.objects.get(pk=a.pk).ring_id
    assert b.timeline.filter(kind="transaction_added").exists()
    services_edit.transaction_remove(txn=txn, actor=world.users["officer"])
    assert not b.transactions.exists()
    assert b.timeline.get(kind="transaction_removed").detail["changes"]


def test_another_station_cannot_edit_and_gets_404(world):
    case = new_case(world)
    other = client_for(world.users["officer_b"])
    assert other.get("/cases/%s/edit/" % case.pk).status_code == 404
    # The procuratorate reads a shared case but may not edit it.
    share(case, world, "w-procuratorate")
    assert client_for(world.users["prosecutor"]).get("/cases/%s/edit/" % case.pk).status_code == 403


# ---------------------------------------------------------------- 2. notes


def test_note_is_seen_by_every_agency_the_case_is_shared_with(world, api):
    case = new_case(world)
    share(case, world, "w-procuratorate")
    services_work.note_create(case=case, actor=world.users["officer"], body="嫌疑人已落地")
    assert api(world.users["prosecutor"]).get("/api/v1/cases/%s/notes/" % case.pk).json()["results"][0]["body"] == "嫌疑人已落地"
    assert "嫌疑人已落地" in client_for(world.users["analyst"]).get("/cases/%s/" % case.pk).content.decode()
    # The procuratorate may answer on the case it was shared.
    r = api(world.users["prosecutor"]).post("/api/v1/cases/%s/notes/" % case.pk, {"body": "请补充资金流向"}, format="json")
    assert r.status_code == 201


def test_mention_notifies_only_the_named_and_refuses_who_cannot_see(world):
    case = new_case(world)
    share(case, world, "w-procuratorate")
    StagedEvent.objects.all().delete()
    note = services_work.note_create(case=case, actor=world.users["officer"], body="@analyst 请研判；@w-procuratorate 知悉")
    assert set(note.mentioned_users.values_list("username", flat=True)) == {"analyst"}
    assert set(note.mentioned_agencies.values_list("code", flat=True)) == {"w-procuratorate"}
    mentioned = staged("case.mentioned")
    assert {e.agency_id for e in mentioned} == {world.agencies["w-centre"].pk, world.agencies["w-procuratorate"].pk}
    assert mentioned[0].payload["user_ids"] == [world.users["analyst"].pk]
    # Every agency that sees the case hears of the note itself (its notes list refreshes).
    assert world.agencies["ps-renmin"].pk in {e.agency_id for e in staged("case.noted")}
    assert world.agencies["ps-hubin"].pk not in {e.agency_id for e in staged("case.noted")}
    with pytest.raises(Exception) as exc:
        services_work.note_create(case=case, actor=world.users["officer"], body="@officer_b 看一下")
    assert "看不到本案" in str(exc.value)


def test_note_of_another_agency_is_404_and_banks_never_see(world, api):
    case = new_case(world)
    services_work.note_create(case=case, actor=world.users["officer"], body="内部备注")
    other = api(world.users["officer_b"])
    assert other.get("/api/v1/cases/%s/notes/" % case.pk).status_code == 404
    assert other.post("/api/v1/cases/%s/notes/" % case.pk, {"body": "x"}, format="json").status_code == 404
    assert client_for(world.users["officer_b"]).get("/cases/%s/notes/" % case.pk).status_code == 404
    bank = api(world.users["bank_a"])
    assert bank.get("/api/v1/cases/%s/notes/" % case.pk).status_code in (403, 404)
    assert "内部备注" not in bank.get("/api/v1/cases/%s/notes/" % case.pk).content.decode()
    assert client_for(world.users["bank_a"]).get("/cases/%s/notes/" % case.pk).status_code in (403, 404)


# ---------------------------------------------------------------- 3. evidence


def test_evidence_is_checked_by_content_and_size(world, settings):
    case = new_case(world)
    officer = world.users["officer"]
    ok = services_work.evidence_upload(case=case, actor=officer, upload=SimpleUploadedFile("聊天截图.png", PNG, "image/png"))
    assert ok.kind == "screenshot" and ok.content_type == "image/png" and len(ok.sha256) == 64
    assert services_work.evidence_upload(case=case, actor=officer, upload=SimpleUploadedFile("x.pdf", PDF)).kind == "pdf"
    chat = services_work.evidence_upload(case=case, actor=officer,
                                         upload=SimpleUploadedFile("微信聊天.txt", "2024-05-01 张三：先转 5000".encode()))
    assert chat.kind == "chat"
    for name, data in [("evil.png", b"MZ\x90\x00" + b"\x00" * 50),  # an executable renamed
                       ("page.pdf", b"<html><script>alert(1)</script></html>"),
                       ("shot.pdf", PNG),  # content and extension disagree
                       ("x.txt", b"\x00\x01\x02binary")]:
        with pytest.raises(Exception) as exc:
            services_work.evidence_upload(case=case, actor=officer, upload=SimpleUploadedFile(name, data))
        assert "只接受" in str(exc.value), name
    settings.CASES_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(Exception) as exc:
        services_work.evidence_upload(case=case, actor=officer, upload=SimpleUploadedFile("big.png", PNG + b"\x00" * 2000))
    assert "不能超过" in str(exc.value)
    assert CaseEvidence.objects.filter(case=case).count() == 3


def test_evidence_is_stored_privately_and_each_download_audited(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = new_case(world)
    ev = services_work.evidence_upload(case=case, actor=world.users["officer"], upload=SimpleUploadedFile("张三身份证.png", PNG))
    assert "张三" not in ev.file.name and ev.file.name.startswith("evidence/")
    assert not ev.file.path.startswith(str(settings.STATIC_ROOT))
    analyst = client_for(world.users["analyst"])
    r = analyst.get("/cases/evidence/%s/download/" % ev.pk)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["Cache-Control"] == "private, no-store" and r["X-Content-Type-Options"] == "nosniff"
    audit = AuditEntry.objects.filter(object_type="cases.caseevidence", object_id=str(ev.pk), action="export")
    assert list(audit.values_list("actor_username", flat=True)) == ["analyst"]
    analyst.get("/cases/evidence/%s/download/" % ev.pk)
    assert audit.count() == 2
    # Nothing serves MEDIA_URL.
    assert Client().get("/" + settings.MEDIA_URL + ev.file.name).status_code in (302, 404)


def test_evidence_of_another_agency_is_404_and_banks_never_see(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = new_case(world)
    ev = services_work.evidence_upload(case=case, actor=world.users["officer"], upload=SimpleUploadedFile("a.pdf", PDF))
    other = world.users["officer_b"]
    assert client_for(other).get("/cases/evidence/%s/download/" % ev.pk).status_code == 404
    assert api(other).get("/api/v1/cases/%s/evidence/%s/download/" % (case.pk, ev.pk)).status_code == 404
    assert api(other).get("/api/v1/cases/%s/evidence/" % case.pk).status_code == 404
    bank = world.users["bank_a"]
    assert client_for(bank).get("/cases/evidence/%s/download/" % ev.pk).status_code in (403, 404)
    assert api(bank).get("/api/v1/cases/%s/evidence/%s/download/" % (case.pk, ev.pk)).status_code in (403, 404)
    assert not AuditEntry.objects.filter(object_type="cases.caseevidence", action="export").exists()
    # Upload through the API, and the list shows it.
    up = api(world.users["analyst"]).post("/api/v1/cases/%s/evidence/" % case.pk,
                                           {"file": SimpleUploadedFile("b.png", PNG), "description": "转账截图"},
                                           format="multipart")
    assert up.status_code == 201 and up.json()["kind"] == "screenshot"
    bad = api(world.users["analyst"]).post("/api/v1/cases/%s/evidence/" % case.pk,
                                            {"file": SimpleUploadedFile("c.png", b"not an image")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()["errors"]


# ---------------------------------------------------------------- 4. tasks


def test_task_for_a_person_shows_in_their_list_and_overdue_is_counted(world, api):
    case = new_case(world)
    officer, analyst = world.users["officer"], world.users["analyst"]
    task = services_work.task_create(case=case, actor=officer, title="调取通话记录", assignee_user=analyst,
                                     due_date=timezone.localdate() + timedelta(days=2))
    late = services_work.task_create(case=case, actor=officer, title="联系银行", assignee_agency=world.agencies["w-centre"],
                                     due_date=timezone.localdate())
    CaseTask.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    mine = api(analyst).get("/api/v1/tasks/mine/").json()["results"]
    assert [t["title"] for t in mine] == ["联系银行", "调取通话记录"]
    assert [t["is_overdue"] for t in mine] == [True, False]
    html = client_for(analyst).get("/cases/tasks/mine/").content.decode()
    assert 'data-testid="overdue-count"' in html and "调取通话记录" in html
    # The supervisor of the same agency sees the agency's task, not the analyst's own one.
    theirs = [t["title"] for t in api(world.users["supervisor"]).get("/api/v1/tasks/mine/").json()["results"]]
    assert theirs == ["联系银行"]
    assert client_for(analyst).post("/cases/tasks/%s/done/" % task.pk, {"next": "mine"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by == analyst
    assert case.timeline.filter(kind="task_done").exists()


def test_task_cannot_go_to_an_agency_that_cannot_see_the_case(world):
    case = new_case(world)
    with pytest.raises(Exception) as exc:
        services_work.task_create(case=case, actor=world.users["officer"], title="x", due_date=timezone.localdate(),
                                  assignee_agency=world.agencies["bank-icbc"])
    assert "看不到本案" in str(exc.value)
    with pytest.raises(Exception):
        services_work.task_create(case=case, actor=world.users["officer"], title="x", due_date=timezone.localdate(),
                                  assignee_user=world.users["officer_b"])


def test_task_of_another_agency_is_404_and_banks_never_see(world, api):
    case = new_case(world)
    task = services_work.task_create(case=case, actor=world.users["officer"], title="走访受害人",
                                     assignee_user=world.users["officer"], due_date=timezone.localdate())
    other = world.users["officer_b"]
    assert api(other).get("/api/v1/cases/%s/tasks/" % case.pk).status_code == 404
    assert api(other).post("/api/v1/cases/%s/tasks/%s/done/" % (case.pk, task.pk)).status_code == 404
    assert client_for(other).post("/cases/tasks/%s/done/" % task.pk).status_code == 404
    assert "走访受害人" not in client_for(other).get("/cases/tasks/mine/").content.decode()
    bank = world.users["bank_a"]
    assert api(bank).get("/api/v1/cases/%s/tasks/" % case.pk).status_code in (403, 404)
    assert api(bank).get("/api/v1/tasks/mine/").status_code in (403, 404)
    assert client_for(bank).get("/cases/tasks/mine/").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


# ---------------------------------------------------------------- query counts


def test_work_lists_read_in_fixed_queries(world, api, django_assert_max_num_queries, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = new_case(world)
    officer = world.users["officer"]
    client = api(world.users["analyst"])

    def grow():
        services_work.note_create(case=case, actor=officer, body="@analyst 备注")
        services_work.evidence_upload(case=case, actor=officer, upload=SimpleUploadedFile("s.png", PNG))
        services_work.task_create(case=case, actor=officer, title="t", assignee_user=world.users["analyst"],
                                  due_date=timezone.localdate())

    grow()
    counts = {}
    for path in ("notes", "evidence", "tasks"):
        with django_assert_max_num_queries(12) as ctx:
            client.get("/api/v1/cases/%s/%s/" % (case.pk, path))
        counts[path] = len(ctx.captured_queries)
    with django_assert_max_num_queries(12) as ctx:
        client.get("/api/v1/tasks/mine/")
    counts["mine"] = len(ctx.captured_queries)
    for _ in range(4):
        grow()
    for path in ("notes", "evidence", "tasks"):
        with django_assert_max_num_queries(counts[path]):
            client.get("/api/v1/cases/%s/%s/" % (case.pk, path))
    with django_assert_max_num_queries(counts["mine"]):
        client.get("/api/v1/tasks/mine/")
    page = client_for(world.users["analyst"])
    page.get("/cases/tasks/mine/")
    with django_assert_max_num_queries(14):
        assert page.get("/cases/tasks/mine/").status_code == 200


def test_audit_log_page_shows_the_edit_field_by_field(world):
    case = new_case(world, loss="5000.00")
    services_edit.case_edit(case=case, actor=world.users["analyst"], version=case.version, data={"loss_amount": Decimal("5100")})
    html = client_for(world.users["centre_admin"]).get("/audit/").content.decode()
    entries = [e.split("</tr>", 1)[0] for e in html.split('data-testid="audit-entry"')[1:]]
    entry = next(e for e in entries if "损失金额" in e)  # the edit's entry, its field by its label
    assert '<del class="audit-before">5000.00</del> → <ins class="audit-after">5100.00</ins>' in entry


def test_case_work_speaks_english_after_the_language_switch(world, settings):
    import re as _re

    case = new_case(world)
    services_work.task_create(case=case, actor=world.users["officer"], title="task", assignee_user=world.users["officer"],
                              due_date=timezone.localdate())
    client = client_for(world.users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/cases/%s/" % case.pk).content.decode()
    for text in ("Edit case", "Note", "Add note", "Evidence", "Assign task", "No notes yet."):
        assert text in html, text
    edit = client.get("/cases/%s/edit/" % case.pk).content.decode()
    assert "Save" in edit and "Removing an indicator recomputes the ring" in edit
    assert "{author} mentioned you in a note on case {number}" in html  # the live toast's text
    mine = client.get("/cases/tasks/mine/").content.decode()
    main = mine.split("<main", 1)[1]
    assert "My tasks" in main and not _re.search(r"[\u4e00-\u9fff]", main.replace("测试", "").replace(world.users["officer"].get_full_name(), "")), "Chinese left on My tasks"


def test_editing_loss_and_time_keeps_the_ring_figures(world):
    a = new_case(world, loss="1000.00", hours_ago=10, indicators=[("phone", "13811119999", "calling_number")])
    b = new_case(world, loss="2000.00", hours_ago=5, indicators=[("phone", "13811119999", "calling_number")])
    analyst = world.users["analyst"]
    b.refresh_from_db()
    services_edit.case_edit(case=b, actor=analyst, data={"loss_amount": Decimal("2500")})
    ring = Ring.objects.get(pk=b.ring_id)
    assert ring.total_loss == Decimal("3500.00") and ring.case_count == 2
    # Moving the latest case earlier moves the ring's last date inward (a recount) ...
    services_edit.case_edit(case=b, actor=analyst, data={"occurred_at": b.occurred_at - timedelta(hours=2)})
    ring.refresh_from_db()
    b.refresh_from_db()
    assert ring.last_occurred_at == b.occurred_at
    # ... and moving the earliest one earlier widens it (no recount needed).
    a.refresh_from_db()
    services_edit.case_edit(case=a, actor=analyst, data={"occurred_at": a.occurred_at - timedelta(hours=5)})
    ring.refresh_from_db()
    a.refresh_from_db()
    assert ring.first_occurred_at == a.occurred_at and ring.last_occurred_at == b.occurred_at
    assert ring.total_loss == Decimal("3500.00")
