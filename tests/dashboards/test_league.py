"""The joint meeting's assessment: indicators by kind, ties, no data, drill-down, frozen periods;
and who may answer for a listed hot spot."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dashboards import assessment
from dashboards.services import period_close, period_for_month, rectification_list

from .conftest import _request, at

MARCH = "period=2025-03"


@pytest.fixture
def as_user(client, w):
    def login(username):
        client.force_login(w.users[username])
        return client

    return login


def add_tie(w):
    """bank-ccb gets a freeze rejected like bank-abc's: the same score, the same rank."""
    from dashboards.rollups import rebuild

    d = at(2025, 3, 10)
    _request(w, 9, kind="freeze", status="rejected", case=w.cases[3], target_agency=w.agencies["bank-ccb"], created=d,
             delivered_at=d, complete_due_at=d + timedelta(days=1), reject_reason="文书不全", freeze_action="freeze")
    rebuild()


def test_ties_share_a_rank_and_an_inactive_bank_has_no_data_and_no_rank(w):
    add_tie(w)
    rows = {r["agency"].code: r for r in assessment.results(period_for_month(2025, 3))}
    assert [(c, rows[c]["score"], rows[c]["rank"]) for c in ("bank-icbc", "bank-abc", "bank-ccb", "bank-cmb")] == [
        ("bank-icbc", Decimal("50.83"), 1), ("bank-abc", Decimal("33.33"), 2), ("bank-ccb", Decimal("33.33"), 2),
        ("bank-cmb", None, None)]
    banks = [r for r in assessment.results(period_for_month(2025, 3)) if r["agency"].kind == "bank"]
    assert [r["rank"] for r in banks][-1] is None  # the unranked come last, never first


def test_units_are_ranked_within_their_own_kind(w):
    rows = assessment.results(period_for_month(2025, 3))
    # The station and the community each come first among their own kind, beside the banks' ranks.
    firsts = {r["agency"].kind for r in rows if r["rank"] == 1}
    assert {"bank", "station", "community"} <= firsts
    assert not any(r["agency"].kind in ("leadership", "court", "procuratorate") for r in rows)


def test_league_page_shows_no_data_the_tie_and_the_region_ranking(w, as_user):
    add_tie(w)
    html = as_user("leader").get("/dashboard/league/?" + MARCH).content.decode()
    cmb = html.split('data-agency="bank-cmb"')[1].split("</tr>")[0]
    assert "无考核数据" in cmb and "<td>—</td>" in cmb
    ccb = html.split('data-agency="bank-ccb"')[1].split("</tr>")[0]
    assert "<td>2</td>" in ccb and "33.33" in ccb
    # Regions ranked on cases per 10,000 residents: 东城区 (3 cases / 820,000) first.
    regions = html.split('data-testid="region-league"')[1].split("</table>")[0]
    assert regions.index("东城区") < regions.index("西湖区") < regions.index("北山县")
    # A bank sees the members' league but no region figures.
    bank = as_user("bank_a").get("/dashboard/league/?" + MARCH)
    assert bank.status_code == 200 and bank.context["region_league"] is None


def test_region_league_ranks_on_the_rate_with_ties_and_notes_a_tiny_base(w):
    from dashboards.selectors import region_league

    rows = region_league(region=w.regions["340400"], start=at(2025, 3, 1).date(), end=at(2025, 3, 31).date())
    assert [(r["region"].code, r["rate"], r["rank"]) for r in rows] == [
        ("340402", Decimal("0.04"), 1), ("340403", Decimal("0.01"), 2), ("340421", Decimal("0.00"), 3)]
    dongcheng = rows[0]
    assert dongcheng["previous_rate"] == Decimal("0.01") and dongcheng["rate_change"] is None
    assert dongcheng["note"] == "small" and rows[2]["note"] == "empty"


def test_each_score_drills_into_the_requests_behind_it(w, as_user):
    office = as_user("leader")
    page = office.get("/dashboard/assessment/bank-icbc/?" + MARCH)
    assert page.status_code == 200
    assert [i["key"] for i in page.context["indicators"]] == ["ack_in_time", "within_deadline", "not_overdue", "money_held"]
    assert "/dashboard/assessment/bank-icbc/money_held/?period=" in page.content.decode()
    items = office.get("/dashboard/assessment/bank-icbc/ack_in_time/?" + MARCH)
    assert items.status_code == 200 and (items.context["total"], items.context["missed"]) == (2, 1)
    # The late one first: R2 acknowledged after 10 of 5 minutes.
    assert [(i["number"], i["counts"]) for i in items.context["items"]] == [("RQT2", False), ("RQT1", True)]
    held = office.get("/dashboard/assessment/bank-icbc/money_held/?" + MARCH).context
    assert (held["total"], held["missed"]) == (2, 2)  # 6,000 of 10,000 and 2,000 of 5,000 held
    tasks = office.get("/dashboard/assessment/cm-xingfuli/dissuasion_success/?" + MARCH).context
    assert [(i["number"], i["counts"]) for i in tasks["items"]] == [("RQT4", True)]


def test_drill_down_is_for_the_agency_itself_and_the_office_only(w, as_user):
    assert as_user("bank_a").get("/dashboard/assessment/bank-icbc/ack_in_time/?" + MARCH).status_code == 200
    assert as_user("bank_b").get("/dashboard/assessment/bank-icbc/ack_in_time/?" + MARCH).status_code == 404
    assert as_user("grid_a").get("/dashboard/assessment/bank-icbc/within_deadline/?" + MARCH).status_code == 404
    # An indicator that does not fit the kind: a carrier is not scored on money held.
    assert as_user("leader").get("/dashboard/assessment/tel-cmcc/money_held/?" + MARCH).status_code == 404


def test_office_sets_the_weights_of_an_open_period_and_a_frozen_period_stays_frozen(w, as_user):
    office = as_user("leader")
    march = period_for_month(2025, 3)
    weights = {"ack_in_time": 0, "within_deadline": 100, "money_held": 0, "dissuasion_reach": 0,
               "dissuasion_success": 0, "publicity_coverage": 0, "not_overdue": 0}
    office.post("/dashboard/league/weights/", {**weights, "period": march.pk})
    march.refresh_from_db()
    assert march.weights["within_deadline"] == 100
    assert {r["agency"].code: r["score"] for r in assessment.results(march)}["bank-icbc"] == Decimal("50.00")
    period_close(period=march, actor=w.users["leader"])
    r = office.post("/dashboard/league/weights/", {**weights, "within_deadline": 10, "period": march.pk}, follow=True)
    assert "已结束" in r.content.decode()
    march.refresh_from_db()
    assert march.weights["within_deadline"] == 100
    # New activity after closing changes nothing in the frozen table.
    add_tie(w)
    rows = {r["agency"].code: r for r in assessment.results(march)}
    assert rows["bank-icbc"]["score"] == Decimal("50.00") and rows["bank-ccb"]["score"] is None


def test_responsible_unit_must_be_a_station_or_community_of_the_area(w):
    leader = w.users["leader"]
    village = w.regions["340402001001"]  # 幸福里社区, under 人民路 (ps-renmin's area)
    deadline = at(2099, 6, 30).date()
    for code in ("bank-icbc", "ps-hubin", "cm-hupan", "w-centre"):
        with pytest.raises(ValidationError) as err:
            rectification_list(actor=leader, region=village, responsible_agency=w.agencies[code], reason="高发",
                               deadline=deadline)
        assert "只能是" in " ".join(err.value.messages)
    rect = rectification_list(actor=leader, region=village, responsible_agency=w.agencies["cm-xingfuli"], reason="高发",
                              deadline=deadline)
    assert rect.responsible_agency.code == "cm-xingfuli"
    town = w.regions["340402001"]
    assert rectification_list(actor=leader, region=town, responsible_agency=w.agencies["ps-renmin"], reason="高发",
                              deadline=deadline).pk


def test_listing_form_offers_only_the_areas_own_units_and_a_bank_is_refused_clearly(w, as_user):
    from dashboards.models import Rectification

    office = as_user("leader")
    page = office.get("/dashboard/hotspots/?from=2025-03-01&to=2025-03-31")
    top = page.context["spots"][0]
    assert top["region"].code == "340402001001"
    assert {a.code for a in top["candidates"]} == {"ps-renmin", "cm-xingfuli"}
    r = office.post("/dashboard/rectifications/new/", {"region": "340402001001", "deadline": "2099-06-30", "reason": "x",
                                                        "responsible_agency": w.agencies["bank-icbc"].pk}, follow=True)
    assert "责任单位只能是幸福里社区所在辖区的派出所或社区" in r.content.decode()
    assert not Rectification.objects.exists()


def test_drill_down_and_league_pages_take_a_fixed_number_of_queries(w, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards.rollups import rebuild

    office = as_user("leader")
    office.get("/dashboard/league/?" + MARCH)  # the period exists from here on

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(url).status_code == 200
        return len(ctx.captured_queries)

    drill = "/dashboard/assessment/bank-icbc/within_deadline/?" + MARCH
    before = count(drill)
    d = at(2025, 3, 11)
    for i in range(20, 26):  # six more requests to the bank: the same queries
        _request(w, i, kind="stop_payment", status="completed", target_agency=w.agencies["bank-icbc"], created=d,
                 delivered_at=d, completed_at=d + timedelta(minutes=10), amount=Decimal("100"))
    rebuild()
    assert count(drill) == before <= 12
    league = count("/dashboard/league/?" + MARCH)
    add_tie(w)
    assert count("/dashboard/league/?" + MARCH) == league <= 20
