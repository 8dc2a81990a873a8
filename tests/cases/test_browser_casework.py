"""In a real browser against the ASGI server: editing a case with its history (and two people
saving at once), a note whose @mention reaches a colleague live, evidence up and down."""

import re

import pytest

from core.models import AuditEntry

from .pages_support import build_world, make_case

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.fixture
def world(transactional_db):
    return build_world()  # real password hashes: the server process logs these users in


@pytest.fixture
def case(world):
    return make_case(world, loss="5000.00", indicators=[("phone", "13812340000", "calling_number")])


def test_edit_shows_history_and_a_second_save_is_told(case, asgi_server, new_page, login):
    officer, analyst = new_page(), new_page()
    login(officer, asgi_server, "officer")
    login(analyst, asgi_server, "analyst")
    # Both open the edit page of the same case.
    for p in (officer, analyst):
        p.goto(asgi_server + "/cases/%s/" % case.pk)
        p.click("[data-testid=edit-case]")
        p.wait_for_url(re.compile(r"/cases/%s/edit/$" % case.pk))
    officer.fill("#id_loss_amount", "6200.50")
    officer.fill("#id_narrative", "补充：第二笔转账")
    officer.click("[data-testid=save-case]")
    officer.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    assert "6,200.50" in officer.inner_text("[data-testid=case-loss]")
    row = officer.locator("[data-testid=timeline] li[data-event-kind=fields_edited]").first
    loss = row.locator("tr[data-field=loss_amount]")
    assert loss.locator("[data-before]").inner_text() == "5000.00"
    assert loss.locator("[data-after]").inner_text() == "6200.50"
    assert "陈民警" in row.inner_text()

    # The analyst, still on the old version, saves: told, and what they typed is still there.
    analyst.fill("#id_loss_amount", "9999")
    analyst.fill("#id_narrative", "研判：与团伙相关")
    analyst.click("[data-testid=save-case]")
    analyst.wait_for_selector("[data-testid=edit-conflict]")
    assert "6200.50" in analyst.inner_text("[data-testid=conflict-theirs]")
    assert analyst.input_value("#id_narrative") == "研判：与团伙相关"
    assert analyst.input_value("#id_loss_amount") in ("9999", "9999.00")
    analyst.click("[data-testid=save-case]")  # now knowingly
    analyst.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    assert "9,999.00" in analyst.inner_text("[data-testid=case-loss]")

    # Removing the indicator from the edit page records it too.
    analyst.goto(asgi_server + "/cases/%s/edit/" % case.pk)
    analyst.click("[data-testid=edit-indicators] [data-testid=remove-indicator]")
    analyst.wait_for_url(re.compile(r"/cases/%s/edit/$" % case.pk))
    assert analyst.locator("[data-testid=edit-indicators] tbody tr").count() == 0
    analyst.goto(asgi_server + "/cases/%s/" % case.pk)
    assert "13812340000" in analyst.inner_text("[data-testid=timeline] li[data-event-kind=indicator_removed]")


def test_mention_notifies_live_and_evidence_goes_up_and_down(case, asgi_server, new_page, login, settings, tmp_path):
    analyst, officer = new_page(), new_page()
    login(analyst, asgi_server, "analyst")
    analyst.goto(asgi_server + "/cases/")
    analyst.wait_for_selector("body[data-live-state=ready]", state="attached")

    login(officer, asgi_server, "officer")
    officer.goto(asgi_server + "/cases/%s/" % case.pk)
    officer.fill("[data-testid=note-form] textarea", "@analyst 请核查该号码的其他案件")
    officer.click("[data-testid=add-note]")
    officer.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    assert "请核查该号码的其他案件" in officer.inner_text("[data-testid=notes]")

    # The analyst, on another page, is told at once.
    toast = analyst.locator('[data-live-toast="case.mentioned"]')
    toast.wait_for(timeout=30000)  # a loaded 2-core machine: the push may take seconds
    assert case.number in toast.inner_text() and "请核查" in toast.inner_text()
    toast.locator("a").click()
    analyst.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    assert "@李研判" in analyst.inner_text("[data-testid=notes]")

    # Evidence: the officer uploads a screenshot; the analyst downloads it (audited).
    officer.set_input_files("[data-testid=evidence-form] input[type=file]",
                            files=[{"name": "转账截图.png", "mimeType": "image/png", "buffer": PNG}])
    officer.click("[data-testid=upload-evidence]")
    officer.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    officer.locator("[data-testid=evidence-link]", has_text="转账截图.png").wait_for()
    # A renamed non-image is refused with a message, nothing stored.
    officer.set_input_files("[data-testid=evidence-form] input[type=file]",
                            files=[{"name": "假截图.png", "mimeType": "image/png", "buffer": b"MZ\x90\x00 not an image"}])
    officer.click("[data-testid=upload-evidence]")
    officer.wait_for_selector(".alert-danger, .alert-error")
    assert officer.locator("[data-testid=evidence-link]").count() == 1

    analyst.reload()
    href = analyst.get_attribute("[data-testid=evidence-link]", "href")
    body = analyst.request.get(asgi_server + href)
    assert body.status == 200 and body.body() == PNG
    assert body.headers["content-type"] == "image/png"
    assert AuditEntry.objects.filter(object_type="cases.caseevidence", action="export", actor_username="analyst").count() == 1


def test_task_assigned_appears_live_in_the_assignees_list(case, world, asgi_server, new_page, login):
    analyst, officer = new_page(), new_page()
    login(analyst, asgi_server, "analyst")
    analyst.goto(asgi_server + "/cases/tasks/mine/")
    analyst.wait_for_selector("body[data-live-state=ready]", state="attached")
    assert analyst.locator("#my-task-rows tr[data-task-id]").count() == 0

    login(officer, asgi_server, "officer")
    officer.goto(asgi_server + "/cases/%s/" % case.pk)
    officer.fill("[data-testid=task-form] input[name=title]", "调取该号码通话记录")
    officer.select_option("[data-testid=task-form] select[name=assignee_user]", str(world.users["analyst"].pk))
    officer.fill("[data-testid=task-form] input[name=due_date]", "2099-01-31")
    officer.click("[data-testid=add-task]")
    officer.wait_for_url(re.compile(r"/cases/%s/$" % case.pk))
    assert "调取该号码通话记录" in officer.inner_text("[data-testid=tasks]")

    row = analyst.locator("#my-task-rows tr[data-task-id]", has_text="调取该号码通话记录")
    row.wait_for(timeout=30000)  # pushed live (task.assigned), no reload
    row.locator("[data-testid=task-done]").click()
    analyst.wait_for_url(re.compile(r"/cases/tasks/mine/$"))
    assert analyst.locator("#my-task-rows tr[data-task-id]").count() == 0
