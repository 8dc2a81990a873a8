"""The audit log: who may browse it (page and API), and that nobody can change it."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from rest_framework.test import APIClient

from core.choices import AuditAction
from core.models import AuditEntry
from core.services import audit_record


@pytest.fixture
def entries(demo):
    centre = audit_record(actor=demo["analyst"], action=AuditAction.VIEW_PERSONAL, obj=demo["bank_a"], detail={"field": "phone"})
    bank = audit_record(actor=demo["bank_a"], action=AuditAction.LOGIN, obj=demo["bank_a"])
    return {"centre": centre, "bank": bank}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["bank_a", "analyst", "grid_a"])
def test_ordinary_users_get_403_on_the_audit_log(demo, entries, client, username):
    client.force_login(demo[username])
    assert client.get("/audit/").status_code == 403
    api = APIClient()
    api.force_authenticate(demo[username])
    assert api.get("/api/v1/audit/").status_code == 403  # the policy refuses the kind, as the page does


@pytest.mark.django_db
def test_agency_admin_sees_only_own_agency_entries(demo, entries, client):
    client.force_login(demo["centre_admin"])
    page = client.get("/audit/")
    assert page.status_code == 200
    ids = {e.pk for e in page.context["object_list"]}
    assert entries["centre"].pk in ids and entries["bank"].pk not in ids
    api = APIClient()
    api.force_authenticate(demo["centre_admin"])
    assert {row["id"] for row in api.get("/api/v1/audit/").data["results"]} == ids


@pytest.mark.django_db
def test_leadership_office_sees_every_agency_entries(demo, entries, client):
    client.force_login(demo["leader"])
    page = client.get("/audit/")
    assert page.status_code == 200
    ids = {e.pk for e in page.context["object_list"]}
    assert {entries["centre"].pk, entries["bank"].pk} <= ids


@pytest.mark.django_db
def test_audit_entries_refuse_update_and_delete_through_the_orm(entries):
    entry = entries["centre"]
    entry.object_repr = "tampered"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.django_db
def test_admin_site_shows_the_audit_log_read_only(demo, client):
    client.force_login(demo["admin"])
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403


@pytest.mark.django_db
def test_postgresql_trigger_refuses_bulk_update_and_delete(entries):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    for statement in (
        lambda: AuditEntry.objects.filter(pk=entries["bank"].pk).update(object_repr="tampered"),
        lambda: AuditEntry.objects.filter(pk=entries["bank"].pk).delete(),
    ):
        with pytest.raises(InternalError, match="append-only"):
            with transaction.atomic():
                statement()
    assert AuditEntry.objects.get(pk=entries["bank"].pk).object_repr != "tampered"
