"""One journey on a phone: grid worker grid_a logs a day's door-to-door round, then sees the
centre's weekly bulletin arrive in the inbox without reloading."""

from datetime import timedelta

import pytest
from django.utils import timezone

from propaganda.models import Outreach
from tests.hashers import server_password_hashers

pytestmark = pytest.mark.django_db(transaction=True)


def test_grid_worker_logs_door_to_door_round_on_a_phone(pw, asgi_server, new_page, login, settings):
    from propaganda import services
    from propaganda.bulletins import week_bounds

    # The server process checks passwords with the real hashers.
    settings.PASSWORD_HASHERS = server_password_hashers()
    grid = pw.users["grid_a"]
    grid.set_password(settings.DEMO_PASSWORD)
    grid.save()

    page = new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, asgi_server, "grid_a")
    page.goto(asgi_server + "/publicity/")
    page.click("[data-testid=start-round]")
    page.wait_for_url("**/publicity/outreach/round/")

    # Five empty stops are on the form; the round has six, so one more is added.
    stops = [("1栋1单元", "elderly", "5"), ("1栋2单元", "elderly", "3"), ("2栋", "general", "8"),
             ("3栋", "rural_left_behind", "2"), ("小卖部", "general", "4"), ("老年活动室", "elderly", "21")]
    page.click("[data-testid=add-stop]")
    for n, (place, group, people) in enumerate(stops):
        page.fill(f"#id_stops-{n}-place", place)
        page.select_option(f"#id_stops-{n}-target_group", group)
        page.fill(f"#id_stops-{n}-people_reached", people)
    # The phone-sized page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # A stop with a place but no head count is refused and nothing is saved.
    page.fill("#id_stops-2-people_reached", "")
    page.click("[data-testid=save-round]")
    page.wait_for_selector("text=请填写覆盖人数。")
    assert Outreach.objects.count() == 0
    assert page.input_value("#id_stops-5-place") == "老年活动室"  # what was typed is still there
    page.fill("#id_stops-2-people_reached", "8")
    page.click("[data-testid=save-round]")
    page.wait_for_url("**/publicity/outreach/")
    page.wait_for_selector("text=已保存 6 条走访记录，共覆盖 43 人。")
    saved = Outreach.objects.filter(agency=grid.agency)
    assert sorted(saved.values_list("place", "people_reached")) == sorted((p, int(n)) for p, _g, n in stops)
    assert set(saved.values_list("channel", "region__code", "created_by__username")) == {
        ("door_to_door", "340402001001", "grid_a")}
    assert page.inner_text("[data-testid=outreach-totals]").startswith("共 6 条，覆盖 43 人次")

    # The inbox is open when the centre publishes last week's bulletin: it appears live.
    page.goto(asgi_server + "/publicity/bulletins/")
    page.wait_for_selector("body[data-live-state=ready]", state="attached")
    start, _end = week_bounds(timezone.localdate() - timedelta(days=7))
    pw.case(day=start + timedelta(days=1), typology="impersonate-police")
    bulletin = services.bulletin_draft(actor=pw.users["analyst"], week_start=start)
    loaded_at = page.evaluate("performance.timeOrigin")
    services.bulletin_publish(bulletin=bulletin, actor=pw.users["analyst"])
    page.wait_for_selector(f"#bulletin-{bulletin.pk}:has-text('未读')", timeout=20000)
    assert page.evaluate("performance.timeOrigin") == loaded_at  # no reload
    page.click(f"#bulletin-{bulletin.pk}")
    page.wait_for_selector("[data-testid=bulletin-title]")
    assert bulletin.receipts.get(agency=grid.agency).opened_at is not None
    assert not errors
