"""The incremental path: changes made through the real services mark their days in the same
transaction; one refresh brings the rollups to exactly what a rebuild from scratch gives."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from dashboards import rollups
from dashboards.models import CUBE_FIELDS, CaseDaily, CaseMonthly, DirtyMark, RegionDaily, RequestDaily, TimingMonthly


def snapshot():
    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields))

    return (
        rows(CaseDaily, "day", "region_id", "typology_id", "reporting_agency_id", "cases", "loss", "solved",
             "victims_u18", "victims_18_34", "victims_35_59", "victims_60p", "victims_unknown"),
        rows(CaseMonthly, "month", "region_id", "region_path", "typology_id", *CUBE_FIELDS),
        rows(TimingMonthly, "month", "agency_id", "ack_p50", "ack_p95", "complete_p50", "complete_p95"),
        rows(RegionDaily, "day", "region_id", "cases", "loss", "requests_issued", "requests_completed",
             "requests_within", "requests_overdue", "stop_count", "stopped", "signals", "dissuaded"),
        rows(RequestDaily, "day", "agency_id", "kind", "received", "acknowledged", "completed", "within_deadline",
             "ack_seconds", "complete_seconds"),
    )


def test_services_mark_days_and_one_refresh_equals_a_rebuild(w, django_capture_on_commit_callbacks):
    from alerts.services import request_acknowledge, request_complete, request_create
    from cases.services import case_update

    rollups.refresh_dirty()
    today = timezone.localdate()
    officer, analyst, bank = w.users["officer"], w.users["analyst"], w.users["bank_a"]
    from tests.dashboards.conftest import _case

    _case(w, 8, by="officer", region="340402001001", typology="brushing", loss="4200", reported=timezone.now(), age=66)
    assert set(DirtyMark.objects.values_list("day", flat=True)) == {today}
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery delivers after commit
        req = request_create(issuer=analyst, kind="stop_payment", target_kind="account",
                             target_value="6222021234567890123", case=w.cases[8], amount=Decimal("4200"))
    request_acknowledge(request_id=req.pk, actor=bank)
    request_complete(request_id=req.pk, actor=bank, amount_secured="4000")
    case_update(case=w.cases[8], actor=officer, data={"region": w.regions["340402001002"], "loss_amount": Decimal("4300")})

    assert rollups.refresh_dirty() == [today]
    assert not DirtyMark.objects.exists()
    figures = RegionDaily.objects.get(day=today, region=w.regions["340402001002"])
    assert (figures.requests_issued, figures.requests_completed, figures.stop_count, figures.stopped) == (
        1, 1, 1, Decimal("4000"))
    case_row = CaseDaily.objects.get(day=today)
    assert (case_row.region_id, case_row.loss, case_row.victims_60p) == (w.regions["340402001002"].pk, Decimal("4300"), 1)
    assert RequestDaily.objects.get(day=today, agency=w.agencies["bank-icbc"]).completed == 1
    assert all(r.ack_seconds == sorted(r.ack_seconds) and r.complete_seconds == sorted(r.complete_seconds)
               for r in RequestDaily.objects.all())  # stored sorted: a period's percentiles merge runs
    incremental = snapshot()
    rollups.rebuild()
    assert snapshot() == incremental


def test_a_change_that_rolls_back_leaves_no_mark(w):
    rollups.refresh_dirty()
    from tests.dashboards.conftest import _case

    with pytest.raises(RuntimeError), transaction.atomic():
        _case(w, 9, by="officer", region="340402001001", typology="brushing", loss="1", reported=timezone.now(), age=1)
        raise RuntimeError
    assert not DirtyMark.objects.exists()


def test_a_case_save_marks_its_day_only_when_it_touches_a_counted_field(w):
    from cases.services import case_assign, case_override_priority, case_transition
    from tests.dashboards.conftest import _case

    _case(w, 11, by="officer", region="340402001001", typology="brushing", loss="10", reported=timezone.now(), age=30)
    rollups.refresh_dirty()
    case = w.cases[11]
    case_override_priority(case=case, actor=w.users["supervisor"], priority=90, reason="老人被骗")
    case_assign(case=case, actor=w.users["supervisor"], assignee=w.users["analyst"])
    assert not DirtyMark.objects.exists()  # priority and assignee are in no figure
    case_transition(case=case, actor=w.users["analyst"], to_status="triaged")
    assert set(DirtyMark.objects.values_list("day", flat=True)) == {timezone.localdate()}


def test_embedded_mode_refreshes_at_each_commit_unless_deferred(w, settings, django_capture_on_commit_callbacks):
    """The embedded mode has no beat: a write's commit refreshes its day. ``seed_demo`` defers
    that (it rebuilds at its end): its writes leave their marks for that rebuild."""
    from tests.dashboards.conftest import _case

    settings.DASHBOARDS_REFRESH_ON_COMMIT = True
    rollups.refresh_dirty()
    today = timezone.localdate()
    with rollups.refresh_deferred(), django_capture_on_commit_callbacks(execute=True):
        _case(w, 12, by="officer", region="340402001001", typology="brushing", loss="10", reported=timezone.now(), age=30)
    assert set(DirtyMark.objects.values_list("day", flat=True)) == {today}
    cases_before = CaseDaily.objects.filter(day=today).aggregate(n=Sum("cases"))["n"] or 0

    with django_capture_on_commit_callbacks(execute=True):
        _case(w, 13, by="officer", region="340402001001", typology="brushing", loss="10", reported=timezone.now(), age=30)
    assert not DirtyMark.objects.exists()  # refreshed at the commit, the deferred mark with it
    assert CaseDaily.objects.filter(day=today).aggregate(n=Sum("cases"))["n"] == cases_before + 2


def test_refresh_is_idempotent_and_a_second_run_finds_nothing(w):
    before = snapshot()
    rollups.mark_days([timezone.localdate(), timezone.localdate()])
    assert rollups.refresh_dirty() == [timezone.localdate()]
    assert rollups.refresh_dirty() == []
    assert snapshot() == before


def test_rebuild_command_recomputes_from_the_sources(w):
    from django.core.management import call_command

    CaseDaily.objects.all().delete()
    call_command("rebuild_rollups", verbosity=0)
    march = CaseDaily.objects.filter(day__month=3, day__year=2025)
    assert sum(march.values_list("cases", flat=True)) == 4 and march.count() == 3  # cases 1 and 2 share a row


def test_demo_seed_rolls_up_and_lists_the_worst_community(w):
    from dashboards.demo import seed_dashboards
    from dashboards.models import Rectification

    from cases.models import Case

    # move the fixture's March to now, so that it is "recent" for the demo seed
    shift = timezone.localdate() - Case.objects.get(pk=w.cases[2].pk).reported_at.date()
    Case.objects.update(reported_at=F("reported_at") + shift)
    result = seed_dashboards()
    assert result["rollup_days"] >= 5 and result["rectifications"] == 1
    rect = Rectification.objects.get()
    assert rect.region.code == "340402001001" and rect.responsible_agency.code == "ps-renmin"
    assert seed_dashboards()["rectifications"] == 0  # idempotent: listed once


def test_cached_figures_change_with_the_next_refresh_not_before(w):
    from dashboards import selectors
    from tests.dashboards.conftest import _case

    today = timezone.localdate()
    city = w.regions["340400"]
    assert selectors.summary(region=city, start=today, end=today)["figures"]["cases"] == 0
    _case(w, 10, by="officer", region="340402001001", typology="brushing", loss="100", reported=timezone.now(), age=40)
    assert selectors.summary(region=city, start=today, end=today)["figures"]["cases"] == 0  # rollups not refreshed yet
    rollups.refresh_dirty()
    assert selectors.summary(region=city, start=today, end=today)["figures"]["cases"] == 1


def test_split_by_month_takes_whole_months_and_leaves_the_days_around_them():
    from datetime import date

    from dashboards.selectors import Period, split_by_month

    d = date
    assert split_by_month(Period(d(2026, 1, 1), d(2026, 12, 5))) == (
        [Period(d(2026, 12, 1), d(2026, 12, 5))], Period(d(2026, 1, 1), d(2026, 11, 30)))
    assert split_by_month(Period(d(2025, 1, 29), d(2025, 3, 31))) == (
        [Period(d(2025, 1, 29), d(2025, 1, 31))], Period(d(2025, 2, 1), d(2025, 3, 31)))
    assert split_by_month(Period(d(2024, 2, 1), d(2024, 2, 29))) == ([], Period(d(2024, 2, 1), d(2024, 2, 29)))
    assert split_by_month(Period(d(2025, 3, 10), d(2025, 3, 20))) == ([Period(d(2025, 3, 10), d(2025, 3, 20))], None)
    assert split_by_month(Period(d(2025, 3, 10), d(2025, 4, 20))) == ([Period(d(2025, 3, 10), d(2025, 4, 20))], None)
    assert split_by_month(Period(d(2025, 12, 31), d(2026, 1, 31))) == (
        [Period(d(2025, 12, 31), d(2025, 12, 31))], Period(d(2026, 1, 1), d(2026, 1, 31)))


@pytest.mark.parametrize("start,end", [
    ((2025, 3, 1), (2025, 3, 31)),    # one whole month
    ((2025, 3, 10), (2025, 3, 31)),   # a partial month
    ((2025, 1, 29), (2025, 3, 31)),   # days, then whole months
    ((2024, 3, 5), (2025, 4, 1)),     # days, thirteen months, a day
    ((2024, 1, 1), (2025, 12, 31)),   # two years of whole months
])
def test_a_period_adds_up_the_same_from_months_and_days_as_from_days_alone(w, start, end):
    from datetime import date

    from django.db.models import Sum

    from dashboards import selectors

    period = selectors.Period(date(*start), date(*end))
    city = w.regions["340400"]
    by_day = sorted(
        CaseDaily.objects.filter(day__gte=period.start, day__lte=period.end).order_by()
        .values("region_path", "typology_id").annotate(**{"s_" + f: Sum(f) for f in CUBE_FIELDS})
        .values_list("region_path", "typology_id", *("s_" + f for f in CUBE_FIELDS))
    )
    assert by_day, "the world has cases in every period under test"
    assert sorted(selectors._cube(city, period)) == by_day


def test_a_case_edit_reaches_the_month_with_its_day(w):
    from datetime import date

    from cases.services import case_update

    march = CaseMonthly.objects.filter(month=date(2025, 3, 1))
    assert sum(march.values_list("cases", flat=True)) == 4
    case_update(case=w.cases[3], actor=w.users["officer"], data={"loss_amount": Decimal("25000")})
    assert rollups.refresh_dirty() == [date(2025, 3, 12)]
    assert march.get(region__code="340402001002").loss == Decimal("25000")
    assert RegionDaily.objects.get(day=date(2025, 3, 12), region__code="340402001002").loss == Decimal("25000")


def test_rebuild_since_a_day_keeps_what_is_before_it(w):
    from datetime import date

    before = snapshot()
    CaseMonthly.objects.filter(month__gte=date(2025, 3, 1)).delete()
    RegionDaily.objects.filter(day__gte=date(2025, 3, 10)).update(cases=0)
    assert rollups.rebuild(since=date(2025, 3, 10)) == 4  # 10, 12 and 31 March, 1 April
    assert snapshot() == before


def test_a_month_reads_its_timings_from_the_monthly_rollup_and_any_other_span_from_the_seconds(w):
    from datetime import date

    from dashboards import assessment

    icbc = w.agencies["bank-icbc"].pk
    march = assessment.duration_percentiles(start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert march[icbc] == {"ack_p50": 180, "ack_p95": 600, "complete_p50": 1200, "complete_p95": 3600}
    assert march == assessment.seconds_percentiles(start=date(2025, 3, 1), end=date(2025, 3, 31))
    TimingMonthly.objects.filter(month=date(2025, 3, 1)).delete()  # the table is what a month reads
    assert assessment.duration_percentiles(start=date(2025, 3, 1), end=date(2025, 3, 31)) == {}
    assert assessment.duration_percentiles(start=date(2025, 3, 2), end=date(2025, 3, 31))[icbc]["ack_p95"] == 600
