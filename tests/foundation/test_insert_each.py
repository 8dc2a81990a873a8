"""core.db.insert_each: one compiled INSERT that saves new instances as ``save()`` would."""

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from core.db import Prepared, insert_each
from core.models import AuditEntry


def _entries(*names):
    return [AuditEntry(actor_username=name, action="view", detail={"who": name, "n": [1, 2]}) for name in names]


@pytest.mark.django_db
def test_saves_every_instance_with_one_insert_and_reads_back_the_ids():
    entries = _entries("a", "b", "c")
    with CaptureQueriesContext(connection) as queries:
        insert_each(entries)
    # One statement, prepared on this connection (core.db.Prepared): PREPARE and EXECUTE in one.
    assert [Prepared.written_as(q["sql"]).split(" ", 1)[0] for q in queries] == ["INSERT"]
    assert all(e.pk is not None and not e._state.adding and e._state.db == "default" for e in entries)
    stored = {e.pk: e for e in AuditEntry.objects.filter(pk__in=[e.pk for e in entries])}
    # Each id is its own row's (RETURNING in VALUES order), and pre_save ran (auto_now_add).
    assert [stored[e.pk].actor_username for e in entries] == ["a", "b", "c"]
    assert [stored[e.pk].detail for e in entries] == [{"who": n, "n": [1, 2]} for n in "abc"]
    assert all(e.at is not None and stored[e.pk].at == e.at for e in entries)


@pytest.mark.django_db
def test_sends_the_signals_a_save_sends():
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.actor_username, instance.pk))

    def after(sender, instance, created, update_fields, **kwargs):
        seen.append(("post", instance.actor_username, instance.pk is not None, created, update_fields))

    pre_save.connect(before, sender=AuditEntry)
    post_save.connect(after, sender=AuditEntry)
    try:
        insert_each(_entries("a", "b"))
    finally:
        pre_save.disconnect(before, sender=AuditEntry)
        post_save.disconnect(after, sender=AuditEntry)
    assert seen == [("pre", "a", None), ("pre", "b", None), ("post", "a", True, True, None), ("post", "b", True, True, None)]


@pytest.mark.django_db
def test_refuses_what_it_would_save_differently_from_save_and_writes_nothing():
    saved = _entries("saved")
    insert_each(saved)
    with pytest.raises(ValueError, match="primary key"):
        insert_each(_entries("new") + saved)
    expression = AuditEntry(actor_username="x", action="view", object_repr=F("object_type"))
    with pytest.raises(ValueError, match="expressions"):
        insert_each([expression])
    assert list(AuditEntry.objects.values_list("actor_username", flat=True)) == ["saved"]
    insert_each([])  # nothing to do, no query
