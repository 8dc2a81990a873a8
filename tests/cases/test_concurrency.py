import threading

import pytest
from django.db import connection

from cases.models import Case, Indicator

from .support import new_case, world  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_intakes_sharing_a_new_indicator_end_in_one_ring(world):
    # Each intake also brings its own fresh card, so both start from different rings.
    barrier = threading.Barrier(4)
    errors, made = [], []

    def intake(n):
        try:
            barrier.wait()
            made.append(new_case(world, indicators=[("phone", "13912340000", "calling_number"),
                                                    ("account", "62220200000000%05d" % n, "receiving_account_l1")]))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rings = set(Case.objects.values_list("ring_id", flat=True))
    assert len(rings) == 1
    ind = Indicator.objects.get(value="+8613912340000")
    assert ind.case_count == 4 and ind.ring_id in rings
    assert Case.objects.get(ring_id__in=rings, pk=made[0].pk).ring.case_count == 4
