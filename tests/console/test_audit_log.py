"""The audit log a person can read (issue 21 §5): who did what to which object with a link,
field-level before/after as lines (never a Python dict), filters, CSV/XLSX export, and only the
roles the policy allows."""

import csv
import io

import pytest
from openpyxl import load_workbook

from agencies.models import Agency, User
from agencies.services import agency_duty_update, user_update
from core.choices import AuditAction
from core.models import AuditEntry
from core.services import audit_record
from tests.conftest import seed_demo_agencies

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    seed_demo_agencies()
    return {u.username: u for u in User.objects.select_related("agency")}


@pytest.fixture
def role_change(demo):
    user_update(actor=demo["centre_admin"], user=demo["analyst"], role="supervisor")
    return AuditEntry.objects.filter(object_type="agencies.user", object_id=str(demo["analyst"].pk)).latest("id")


def test_entry_reads_as_before_and_after_with_a_link(client, demo, role_change):
    client.force_login(demo["centre_admin"])
    page = client.get("/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<del class=\"audit-before\">研判员</del> → <ins class=\"audit-after\">主管</ins>" in html
    assert f'href="/agencies/console/users/{demo["analyst"].pk}/"' in html
    assert "{&#x27;" not in html and "{'" not in html  # no Python dict anywhere
    assert '<span class="text-muted small">用户</span>' in html  # the object type by its name
    assert ">agencies.user<" not in html and "agencies.user " not in html


def test_entry_in_english(client, demo, role_change):
    client.force_login(demo["centre_admin"])
    client.cookies["django_language"] = "en"
    html = client.get("/audit/").content.decode()
    assert "Role" in html and ">Analyst</del>" in html and ">Supervisor</ins>" in html


def test_other_shapes_render_as_lines(client, demo):
    leader = demo["leader"]
    audit_record(actor=leader, action=AuditAction.TRANSITION, obj=demo["leader"].agency,
                 detail={"to": "published", "recipients": 25})
    audit_record(actor=leader, action=AuditAction.UPDATE, obj=demo["leader"].agency,
                 detail={"before": {"ack": 60}, "after": {"ack": 30}})
    client.force_login(leader)
    html = client.get("/audit/").content.decode()
    assert "接收单位数：</span>25" in html
    assert "<del class=\"audit-before\">60</del> → <ins class=\"audit-after\">30</ins>" in html
    assert "{&#x27;to&#x27;" not in html


def test_filters_by_person_agency_object_and_kind(client, demo, role_change):
    centre = demo["centre_admin"].agency
    agency_duty_update(actor=demo["centre_admin"], agency=centre, duty_contact="新人", duty_phone="1")
    audit_record(actor=demo["bank_a"], action=AuditAction.LOGIN)
    client.force_login(demo["leader"])
    rows = client.get("/audit/", {"actor": "centre_admin"}).context["object_list"]
    assert rows and {e.actor_username for e in rows} == {"centre_admin"}
    rows = client.get("/audit/", {"agency": Agency.objects.get(code="bank-icbc").pk}).context["object_list"]
    assert rows and {e.actor_username for e in rows} == {"bank_a"}
    rows = client.get("/audit/", {"object_type": "agencies.agency", "object_id": str(centre.pk)}).context["object_list"]
    assert [e.detail["changes"]["duty_contact"]["after"] for e in rows] == ["新人"]
    rows = client.get("/audit/", {"action": "login"}).context["object_list"]
    assert rows and {e.action for e in rows} == {"login"}


def test_agency_admin_has_no_agency_filter_and_sees_only_own(client, demo, role_change):
    audit_record(actor=demo["bank_a"], action=AuditAction.LOGIN)
    client.force_login(demo["centre_admin"])
    page = client.get("/audit/", {"agency": Agency.objects.get(code="bank-icbc").pk})
    assert "agency" not in page.context["filter"].form.fields
    assert "bank_a" not in {e.actor_username for e in page.context["object_list"]}


def test_list_query_count_is_flat(client, demo, role_change, django_assert_max_num_queries):
    client.force_login(demo["leader"])
    client.get("/audit/")
    for i in range(40):
        user_update(actor=demo["centre_admin"], user=demo["analyst"], phone=str(i))
    with django_assert_max_num_queries(10):
        assert client.get("/audit/").status_code == 200


def test_export_csv_and_xlsx_follow_the_filters_and_are_audited(client, demo, role_change):
    client.force_login(demo["centre_admin"])
    response = client.get("/audit/export/", {"object_type": "agencies.user", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "时间" and len(rows) == 2
    assert "角色: 研判员 → 主管" in rows[1][7] and rows[1][8].endswith(f"/agencies/console/users/{demo['analyst'].pk}/")
    response = client.get("/audit/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any("角色: 研判员 → 主管" in (row[7] or "") for row in values[1:])
    assert AuditEntry.objects.filter(action="export", actor_username="centre_admin").count() == 2


def test_an_export_with_a_nul_in_its_filters_is_served_and_audited_without_it(client, demo):
    """PostgreSQL refuses NUL in a jsonb: the export's audit line (its filters) failed with a 500."""
    client.force_login(demo["centre_admin"])
    response = client.get("/audit/export/", {"kind": "a\x00b", "object_type": "\x00"})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="export", actor_username="centre_admin").latest("pk")
    assert entry.detail["filters"] == {"kind": "ab", "object_type": ""}


@pytest.mark.parametrize("username", ["analyst", "bank_a", "grid_a"])
def test_others_cannot_read_or_export(client, demo, username):
    client.force_login(demo[username])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403


def test_values_of_the_objects_choice_fields_read_as_labels_in_the_readers_language():
    from django.utils import translation

    from core.audit_display import audit_lines

    [line] = audit_lines({"from": "created", "to": "delivered"}, "alerts.request")
    assert (line.label, line.before, line.after) == ("状态", "已创建", "已送达")
    with translation.override("en"):
        [line] = audit_lines({"from": "created", "to": "delivered"}, "alerts.request")
        assert (line.label, line.before, line.after) == ("Status", "Created", "Delivered")
        [line] = audit_lines({"bulk": [1, 2]}, "propaganda.outreach")
        assert str(line) == "Batch: 1, 2"
