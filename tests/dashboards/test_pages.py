"""The pages: the dashboard and its links, scope, hot spots and rectification, league, report."""

from decimal import Decimal
from io import BytesIO

import pytest

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.fixture
def as_user(client, w):
    def login(username):
        client.force_login(w.users[username])
        return client

    return login


def test_dashboard_shows_the_figures_and_links_each_to_its_list(w, as_user):
    page = as_user("leader").get("/dashboard/?" + MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="fig-cases"' in html and "/cases/?region=%d&amp;date_from=2025-03-01" % w.regions["340400"].pk in html
    assert "/requests/board/?escalated=true" in html
    assert page.context["f"]["cases"] == 4 and page.context["f"]["requests_overdue"] == 1
    assert 'id="chart-trend"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'data-live-refresh="/dashboard/_figures/?region=340400' in html
    # the case list behind the figure opens for the office (read-only) and holds the four cases
    cases = as_user("leader").get("/cases/?region=%d&date_from=2025-03-01&date_to=2025-03-31"
                                  "&status=new&status=triaged&status=investigating&status=solved&status=closed"
                                  % w.regions["340400"].pk)
    assert cases.status_code == 200 and cases.context["page_obj"].paginator.count == 4


def test_dashboard_drills_down_to_a_county(w, as_user):
    page = as_user("leader").get("/dashboard/?region=340402&" + MARCH)
    assert page.context["f"]["cases"] == 3
    assert [r.code for r in page.context["breadcrumbs"]] == ["340400", "340402"]
    assert [r["region"].code for r in page.context["ranked"]][:2] == ["340402001", "340402002"]


def test_bank_gets_403_on_region_pages_and_county_centre_404_outside_its_county(w, as_user):
    bank = as_user("bank_a")
    for url in ("/dashboard/", "/dashboard/hotspots/", "/dashboard/report/", "/dashboard/report.xlsx"):
        assert bank.get(url).status_code == 403, url
    assert bank.get("/dashboard/league/").status_code == 200
    centre = as_user("county_analyst")
    assert centre.get("/dashboard/?region=340402001&" + MARCH).status_code == 200
    assert centre.get("/dashboard/?region=340403&" + MARCH).status_code == 404


def test_bad_dates_answer_400_with_a_clear_message(w, as_user):
    page = as_user("leader").get("/dashboard/?from=2025-03-31&to=2025-03-01")
    assert page.status_code == 400 and "开始日期不能晚于结束日期" in page.content.decode()


def test_own_assessment_detail_is_for_itself_and_the_office_only(w, as_user):
    assert as_user("bank_a").get("/dashboard/assessment/bank-icbc/?period=2025-03").status_code == 200
    assert as_user("bank_a").get("/dashboard/assessment/bank-abc/?period=2025-03").status_code == 404
    page = as_user("leader").get("/dashboard/assessment/bank-abc/?period=2025-03")
    assert page.status_code == 200 and page.context["row"]["score"] == Decimal("33.33")


def test_league_page_lists_every_member_by_kind(w, as_user):
    page = as_user("grid_a").get("/dashboard/league/?period=2025-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-agency="bank-icbc"' in html and "50.83" in html and 'data-agency="cm-xingfuli"' in html


def test_office_lists_a_hot_spot_for_rectification_and_tracks_it_weekly(w, as_user):
    from datetime import date

    from dashboards.models import Rectification

    office = as_user("leader")
    r = office.post("/dashboard/rectifications/new/", {"region": "340402001001", "responsible_agency": w.agencies["ps-renmin"].pk,
                                                        "deadline": "2099-06-30", "reason": "万人发案率全市最高"})
    rect = Rectification.objects.get()
    assert r.status_code == 302 and rect.responsible_agency.code == "ps-renmin"
    Rectification.objects.filter(pk=rect.pk).update(listed_on=date(2025, 3, 3))
    weeks = office.get("/dashboard/rectifications/%d/" % rect.pk).context["weeks"]
    assert [(w_["week"], w_["cases"]) for w_ in weeks[:5]] == [
        (date(2025, 3, 3), 0), (date(2025, 3, 10), 2), (date(2025, 3, 17), 0), (date(2025, 3, 24), 0), (date(2025, 3, 31), 1)]  # case 7, 1 April
    spots = office.get("/dashboard/hotspots/?" + MARCH).context["spots"]
    assert spots[0]["rectification_id"] == rect.pk
    # a second listing of the same area is refused, a bank cannot list, the office delists
    office.post("/dashboard/rectifications/new/", {"region": "340402001001", "responsible_agency": w.agencies["ps-renmin"].pk,
                                                    "deadline": "2099-06-30", "reason": "x"})
    assert Rectification.objects.count() == 1
    assert as_user("bank_a").post("/dashboard/rectifications/new/", {"region": "340403001001", "deadline": "2099-01-01",
                                                                     "responsible_agency": w.agencies["ps-hubin"].pk, "reason": "x"}).status_code == 403
    office = as_user("leader")
    office.post("/dashboard/rectifications/%d/delist/" % rect.pk, {"note": "发案下降"})
    rect.refresh_from_db()
    assert rect.status == "delisted" and rect.delisted_on is not None


def test_weekly_report_xlsx_opens_and_holds_the_figures(w, as_user):
    from openpyxl import load_workbook

    from core.models import AuditEntry

    response = as_user("leader").get("/dashboard/report.xlsx?" + MARCH)
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    figures = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert figures["发案数"] == 4 and figures["损失金额（元）"] == 36000 and figures["止付金额（元）"] == 8000
    assert figures["超时督办"] == 1 and figures["较上期发案变化（%）"] is None  # base of 1 case: no percentage
    regions = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert regions[0] == (1, "东城区", "340402", 3, 35000.0, 820000, 0.04, 0.01, None)  # exact yuan; tiny base: no %
    spots = list(wb.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert spots[0][:4] == ("幸福里社区", "340402001001", 2, 1.61)
    league = {row[1]: row[2] for row in wb.worksheets[4].iter_rows(min_row=2, values_only=True)}
    assert league["工商银行W市分行"] == 50.83
    assert AuditEntry.objects.filter(action="export", actor_username="leader").exists()


def test_printable_report_has_figures_league_and_hot_spots(w, as_user):
    html = as_user("leader").get("/dashboard/report/?" + MARCH).content.decode()
    for marker in ('data-testid="report-figures"', 'data-testid="report-league"', 'data-testid="report-hotspots"',
                   "幸福里社区", "dashboard.css", 'id="chart-trend"'):
        assert marker in html


def test_counts_on_the_cards_read_with_separators(w, as_user):
    from datetime import date

    from django.db.models import F

    from dashboards.cache import new_generation
    from dashboards.models import CaseMonthly, RegionDaily

    # A city-sized March: a million more cases and requests in the rollups the page reads.
    row = CaseMonthly.objects.filter(month=date(2025, 3, 1)).order_by("pk").first()
    CaseMonthly.objects.filter(pk=row.pk).update(cases=F("cases") + 1_000_000)
    RegionDaily.objects.filter(pk=RegionDaily.objects.filter(day=date(2025, 3, 10)).order_by("pk")[0].pk).update(
        requests_issued=F("requests_issued") + 1_000_000)
    new_generation()
    html = as_user("leader").get("/dashboard/?" + MARCH).content.decode()
    assert 'data-value>1,000,004</div>' in html  # cases
    assert "1,000,004 / 3</div>" in html  # requests issued / completed
