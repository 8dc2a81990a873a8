import pytest
from django.core.management import call_command

from cases.generator import write_via_services
from cases.generator_bulk import write_bulk
from cases.models import Case, CaseIndicator, Indicator, Ring, Victim

from .support import world  # noqa: F401


def _partition():
    groups = {}
    for ring_id, id_number in Victim.objects.values_list("case__ring_id", "id_number"):
        groups.setdefault(ring_id, set()).add(id_number)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.django_db(transaction=True)
def test_bulk_generator_builds_the_same_rings_as_the_incremental_intake(world):
    write_via_services(160, seed=11)
    incremental = _partition()
    assert Ring.objects.count() == len(incremental) < 160  # some rings really formed
    assert max(len(g) for g in incremental) > 2
    CaseIndicator.objects.all().delete()
    Case.objects.all().delete()
    Indicator.objects.all().delete()
    Ring.objects.all().delete()
    result = write_bulk(160, seed=11, log=lambda *_: None)
    assert result["cases"] == 160
    assert _partition() == incremental
    ring = Ring.objects.order_by("-case_count").first()
    assert ring.case_count == Case.objects.filter(ring=ring).count()


def test_generate_cases_command_runs_through_intake(world):
    call_command("generate_cases", "--cases", "20", verbosity=0)
    assert Case.objects.count() == 20
