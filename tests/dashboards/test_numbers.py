"""Every figure of the hand-counted data set (conftest.build_world), from the rollups."""

from datetime import date
from decimal import Decimal

from dashboards import assessment, selectors
from dashboards.constants import DEFAULT_WEIGHTS
from dashboards.services import period_for_month

MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}


def test_city_summary_counts_every_case_request_and_yuan(w):
    s = selectors.summary(region=w.regions["340400"], **MARCH)
    f = s["figures"]
    assert (f["cases"], f["loss"], f["solved"], f["victims"]) == (4, Decimal("36000"), 1, 4)
    assert s["population"] == 3_030_000 and f["rate"] == Decimal("0.01")
    assert (f["requests_issued"], f["requests_completed"], f["requests_within"], f["requests_overdue"]) == (4, 3, 2, 1)
    assert f["within_share"] == Decimal("66.7")
    assert (f["stop_count"], f["stopped"], f["freeze_count"], f["frozen"]) == (2, Decimal("8000"), 0, Decimal("0"))
    assert (f["dissuaded"], f["signals"], f["returned"]) == (1, 0, Decimal("0"))
    assert f["publicity_reach"] == 0  # nobody logged publicity outreach
    assert s["previous"]["from"] == date(2025, 1, 29) and s["previous"]["to"] == date(2025, 2, 28)
    # One case and 3,000 yuan before: a base too small for a percentage ("▲300%" says nothing).
    assert (s["previous"]["cases"], s["previous"]["loss"], s["previous"]["cases_change"]) == (1, Decimal("3000"), None)
    assert s["previous"]["notes"] == {"cases": "small", "loss": "small", "rate": "small"}
    assert (s["last_year"]["cases"], s["last_year"]["loss"]) == (1, Decimal("8000"))
    assert s["last_year"]["loss_change"] is None and s["last_year"]["notes"]["loss"] == "small"


def test_changes_are_computed_over_a_big_enough_base_and_noted_over_an_empty_one(w, monkeypatch):
    monkeypatch.setattr(selectors, "MIN_BASE_CASES", 1)
    monkeypatch.setattr(selectors, "MIN_BASE_LOSS", Decimal("1000"))
    s = selectors._summary(w.regions["340400"], MARCH["start"], MARCH["end"])
    assert s["previous"]["cases_change"] == Decimal("300.0") and s["previous"]["notes"]["cases"] is None
    assert s["last_year"]["loss_change"] == Decimal("350.0")
    community = selectors._summary(w.regions["340402001001"], MARCH["start"], MARCH["end"])
    assert community["previous"]["rate"] == Decimal("0.81") and community["previous"]["rate_change"] == Decimal("98.8")
    empty = selectors._summary(w.regions["340400"], date(2025, 1, 1), date(2025, 1, 10))
    assert empty["previous"]["cases_change"] is None and empty["previous"]["notes"]["cases"] == "empty"


def test_a_loss_change_over_too_few_cases_is_noted_however_big_their_loss(w, monkeypatch):
    monkeypatch.setattr(selectors, "MIN_BASE_LOSS", Decimal("1000"))  # last March's 8,000 yuan is enough money
    s = selectors._summary(w.regions["340400"], MARCH["start"], MARCH["end"])
    assert s["last_year"]["loss"] == Decimal("8000") and s["last_year"]["cases"] == 1  # under 10 cases
    assert s["last_year"]["loss_change"] is None and s["last_year"]["notes"]["loss"] == "small"


def test_community_summary_and_its_rate_per_10000(w):
    s = selectors.summary(region=w.regions["340402001001"], **MARCH)
    f = s["figures"]
    assert (f["cases"], f["loss"], f["rate"]) == (2, Decimal("15000"), Decimal("1.61"))
    assert (f["requests_issued"], f["requests_completed"], f["requests_within"], f["stopped"], f["dissuaded"]) == (
        3, 3, 2, Decimal("8000"), 1)
    assert s["previous"]["rate"] == Decimal("0.81") and s["previous"]["rate_change"] is None  # 1 case before
    county = selectors.summary(region=w.regions["340402"], **MARCH)["figures"]
    assert (county["cases"], county["rate"], county["requests_issued"]) == (3, Decimal("0.04"), 4)


def test_the_day_boundary_is_local_midnight(w):
    april_first = selectors.summary(region=w.regions["340400"], start=date(2025, 4, 1), end=date(2025, 4, 1))
    march_31 = selectors.summary(region=w.regions["340400"], start=date(2025, 3, 31), end=date(2025, 3, 31))
    assert april_first["figures"]["loss"] == Decimal("999") and march_31["figures"]["loss"] == Decimal("1000")


def test_timeseries_typologies_and_age_groups(w):
    city = w.regions["340400"]
    days = selectors.timeseries(region=city, grain="day", **MARCH)
    assert len(days) == 31
    by_day = {r["period"]: r for r in days if r["cases"] or r["stopped"]}
    assert {d: (r["cases"], r["loss"], r["stopped"]) for d, r in by_day.items()} == {
        date(2025, 3, 10): (2, Decimal("15000"), Decimal("8000")),
        date(2025, 3, 12): (1, Decimal("20000"), Decimal("0")),
        date(2025, 3, 31): (1, Decimal("1000"), Decimal("0")),
    }
    weeks = selectors.timeseries(region=city, grain="week", **MARCH)
    assert weeks[0]["period"] == date(2025, 2, 24)
    assert {r["period"]: r["cases"] for r in weeks if r["cases"]} == {date(2025, 3, 10): 3, date(2025, 3, 31): 1}
    months = selectors.timeseries(region=city, grain="month", start=date(2025, 1, 1), end=date(2025, 4, 30))
    assert [r["cases"] for r in months] == [0, 1, 4, 1]
    assert [(t["code"], t["cases"], t["loss"]) for t in selectors.typology_mix(region=city, **MARCH)] == [
        ("brushing", 3, Decimal("16000")), ("investment", 1, Decimal("20000"))]
    assert {a["group"]: a["victims"] for a in selectors.age_groups(region=city, **MARCH)} == {
        "u18": 1, "18_34": 1, "35_59": 1, "60p": 1, "unknown": 0}


def test_counties_ranked_by_case_rate_and_hot_spots(w):
    ranked = selectors.regions_ranked(region=w.regions["340400"], **MARCH)
    assert [(r["region"].code, r["cases"], r["rate"]) for r in ranked] == [
        ("340402", 3, Decimal("0.04")), ("340403", 1, Decimal("0.01")), ("340421", 0, Decimal("0.00"))]
    spots = selectors.hot_spots(region=w.regions["340400"], **MARCH)
    assert [(s["region"].code, s["cases"], s["rate"]) for s in spots] == [
        ("340402001001", 2, Decimal("1.61")), ("340402001002", 1, Decimal("1.02")),
        ("340403001001", 1, Decimal("0.88")), ("340402001", 3, Decimal("0.31")), ("340403001", 1, Decimal("0.10"))]
    top = spots[0]
    assert top["previous_rate"] == Decimal("0.81") and top["trend"] == Decimal("98.8")
    assert spots[1]["trend"] is None  # nothing the period before: no percentage to show
    assert len(top["weekly"]) == 8 and top["weekly"][-1] == 0 and top["weekly"][-4] == 2  # week of 10 March


def test_assessment_metrics_scores_and_ranks(w):
    period = period_for_month(2025, 3)
    assert period.weights == DEFAULT_WEIGHTS
    rows = {r["agency"].code: r for r in assessment.results(period)}
    icbc = rows["bank-icbc"]["metrics"]
    assert (icbc["received"], icbc["completed"], icbc["within_deadline"], icbc["overdue"], icbc["rejected"]) == (2, 2, 1, 1, 0)
    assert (icbc["ack_p50"], icbc["ack_p95"], icbc["complete_p50"], icbc["complete_p95"]) == (180, 600, 1200, 3600)
    assert icbc["by_kind"]["stop_payment"]["received"] == 2
    # A bank: acknowledged in time 1/2, finished in time 1/2, held 8,000 of 15,000 yuan, overdue 1/2.
    assert rows["bank-icbc"]["metrics"]["indicators"] == {
        "ack_in_time": {"value": 0.5, "num": 1, "den": 2}, "within_deadline": {"value": 0.5, "num": 1, "den": 2},
        "money_held": {"value": 0.5333, "num": "8000.00", "den": "15000.00"},
        "not_overdue": {"value": 0.5, "num": 1, "den": 2}}
    # (15 x .5 + 30 x .5 + 20 x .5333 + 15 x .5) / (15 + 30 + 20 + 15)
    assert rows["bank-icbc"]["score"] == Decimal("50.83") and rows["bank-icbc"]["rank"] == 1
    # A rejected freeze of no stated amount: no ack deadline, no money asked: only timeliness counts.
    assert set(rows["bank-abc"]["metrics"]["indicators"]) == {"within_deadline", "not_overdue"}
    assert rows["bank-abc"]["score"] == Decimal("33.33") and rows["bank-abc"]["rank"] == 2
    assert rows["bank-ccb"]["score"] is None and rows["bank-ccb"]["rank"] is None
    renmin = rows["ps-renmin"]["metrics"]
    assert renmin["dissuasion"] == {"tasks": 1, "completed": 1, "in_time": 1, "dissuaded": 1, "already_paid": 0,
                                    "unreachable": 0, "in_time_share": 1.0}
    assert set(renmin["indicators"]) == {"ack_in_time", "within_deadline", "not_overdue", "dissuasion_reach",
                                         "dissuasion_success"}
    assert rows["ps-renmin"]["score"] == Decimal("100.00") and rows["ps-renmin"]["rank"] == 1
    # Hubin registered a case but received no request nor task and logged no outreach: no activity
    # to assess, so "no data" and no rank (it used to be "0.00, rank 2").
    assert rows["ps-hubin"]["score"] is None and rows["ps-hubin"]["rank"] is None
    assert rows["cm-xingfuli"]["score"] == Decimal("100.00") and rows["cm-xingfuli"]["rank"] == 1


def test_publicity_reach_sums_the_outreach_logged_in_the_region(w):
    from propaganda.choices import Channel, TargetGroup
    from propaganda.models import Outreach

    for region, people, day in (("340402001001", 120, date(2025, 3, 5)), ("340402001002", 80, date(2025, 3, 6)),
                                ("340402001001", 999, date(2025, 4, 2))):
        Outreach.objects.create(date=day, place="广场", region=w.regions[region], channel=Channel.values[0],
                                target_group=TargetGroup.values[0], people_reached=people, agency=w.agencies["cm-xingfuli"])
    assert selectors.summary(region=w.regions["340400"], **MARCH)["figures"]["publicity_reach"] == 200
    assert selectors.summary(region=w.regions["340402001001"], **MARCH)["figures"]["publicity_reach"] == 120


def test_percentiles_are_nearest_rank_values_from_one_sort():
    from dashboards.assessment import percentiles

    assert percentiles([], 50, 95) == [None, None]
    # Two days' sorted lists one after the other, as a period reads them from the rollups.
    assert percentiles([1, 3, 5, 2, 4], 50, 95, 100) == [3, 5, 5]
    assert percentiles([10] * 19 + [1000], 95, 96) == [10, 1000]  # rank ceil(0.95 * 20) = 19
