"""The agency admin's console (issue 21 §4): the admin's own agency's users, duty contact and
routing keys, in the product; the Django admin is the superuser's only."""

import pytest
from django.contrib.auth import SESSION_KEY
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.models import Agency, RoutingKey, User
from agencies.services import token_issue
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
CONSOLE = "/agencies/console/"
GOOD_PASSWORD = "Qz7!fraud-console"


@pytest.fixture
def admin_client(demo, client):
    client.force_login(demo["centre_admin"])
    return client


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def user_page(user):
    return f"{CONSOLE}users/{user.pk}/"


def test_console_lists_only_own_agency_users(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = admin_client.get(CONSOLE)
    assert page.status_code == 200
    listed = {u.username for u in page.context["users"]}
    assert {"analyst", "supervisor", "centre_admin"} <= listed
    assert "bank_a" not in listed and "admin" not in listed


def test_console_query_count_does_not_grow_with_users(admin_client, demo, django_assert_max_num_queries):
    agency = demo["centre_admin"].agency
    admin_client.get(CONSOLE)
    User.objects.bulk_create([User(username=f"extra{i}", agency=agency, role=Role.OFFICER) for i in range(30)])
    with django_assert_max_num_queries(12):
        assert admin_client.get(CONSOLE).status_code == 200


@pytest.mark.parametrize("username", ["analyst", "bank_a", "leader"])
def test_others_cannot_open_the_console(client, demo, username):
    client.force_login(demo[username])
    assert client.get(CONSOLE).status_code == 403
    assert client.post(f"{CONSOLE}users/new/", {}).status_code == 403


def test_another_agencys_user_is_404(admin_client, demo):
    assert admin_client.get(user_page(demo["bank_a"])).status_code == 404
    assert admin_client.post(user_page(demo["bank_a"]), {"action": "disable"}).status_code == 404
    assert User.objects.get(username="bank_a").is_active


def test_admin_creates_a_user_in_own_agency_audited(admin_client, demo):
    response = admin_client.post(f"{CONSOLE}users/new/", {
        "username": "newbie", "first_name": "新同事", "role": "analyst", "phone": "13800000000",
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "agency": Agency.objects.get(code="bank-abc").pk})
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.agency_id == demo["centre_admin"].agency_id and user.role == Role.ANALYST
    assert user.check_password(GOOD_PASSWORD) and not user.is_staff and not user.is_superuser
    entry = AuditEntry.objects.get(object_type="agencies.user", object_id=str(user.pk), action="create")
    assert entry.actor_username == "centre_admin"
    assert entry.detail["changes"]["role"] == {"before": None, "after": "analyst"}


def test_a_weak_password_or_taken_name_is_refused_in_the_form(admin_client):
    response = admin_client.post(f"{CONSOLE}users/new/", {
        "username": "weak", "first_name": "x", "role": "analyst", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and not User.objects.filter(username="weak").exists()
    assert response.context["form"].errors["password1"]
    response = admin_client.post(f"{CONSOLE}users/new/", {
        "username": "Analyst", "first_name": "x", "role": "analyst", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 200 and "username" in response.context["form"].errors


def test_disabling_ends_login_sessions_and_token(admin_client, demo, client_factory):
    analyst = demo["analyst"]
    token = token_issue(user=analyst)
    other = client_factory()
    other.force_login(analyst)
    assert other.get("/agencies/").status_code == 200
    response = admin_client.post(user_page(analyst), {"action": "disable"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_active and User.objects.filter(pk=analyst.pk).exists()  # never deleted
    assert other.get("/agencies/").status_code == 302  # the session no longer logs in
    assert not Token.objects.filter(key=token.key).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + token.key)
    assert api.get("/api/v1/me/").status_code == 401
    entry = AuditEntry.objects.filter(object_type="agencies.user", object_id=str(analyst.pk), action="update").latest("id")
    assert entry.detail["changes"] == {"is_active": {"before": True, "after": False}}


def test_admin_cannot_disable_themselves(admin_client, demo):
    admin_client.post(user_page(demo["centre_admin"]), {"action": "disable"})
    assert User.objects.get(username="centre_admin").is_active


def test_set_role_is_audited_with_before_and_after(admin_client, demo):
    analyst = demo["analyst"]
    response = admin_client.post(user_page(analyst), {"action": "edit", "first_name": analyst.first_name,
                                                      "role": "supervisor", "phone": ""})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.SUPERVISOR
    entry = AuditEntry.objects.filter(object_type="agencies.user", object_id=str(analyst.pk)).latest("id")
    assert entry.detail["changes"]["role"] == {"before": "analyst", "after": "supervisor"}


def test_password_reset_ends_sessions_and_lets_the_new_one_in(admin_client, demo, client_factory):
    analyst = demo["analyst"]
    other = client_factory()
    other.force_login(analyst)
    response = admin_client.post(user_page(analyst), {"action": "password", "password1": GOOD_PASSWORD,
                                                      "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert other.get("/agencies/").status_code == 302
    fresh = client_factory()
    response = fresh.post("/accounts/login/", {"username": "analyst", "password": GOOD_PASSWORD})
    assert response.status_code == 302 and fresh.get("/agencies/").status_code == 200
    entry = AuditEntry.objects.filter(object_type="agencies.user", object_id=str(analyst.pk)).latest("id")
    assert entry.detail == {"password": "reset"}  # never the password itself


def test_force_logout_ends_sessions_keeps_password(admin_client, demo, client_factory):
    analyst = demo["analyst"]
    token = token_issue(user=analyst)
    other = client_factory()
    other.force_login(analyst)
    assert other.session[SESSION_KEY] == str(analyst.pk)
    admin_client.post(user_page(analyst), {"action": "logout"})
    assert other.get("/agencies/").status_code == 302
    assert not Token.objects.filter(key=token.key).exists()
    again = client_factory()
    again.force_login(User.objects.get(pk=analyst.pk))  # a new login works
    assert again.get("/agencies/").status_code == 200


def test_duty_contact_is_saved_and_audited(admin_client, demo):
    response = admin_client.post(f"{CONSOLE}duty/", {"duty_contact": "新值班员", "duty_phone": "0554-1234567"})
    assert response.status_code == 302
    agency = Agency.objects.get(pk=demo["centre_admin"].agency_id)
    assert (agency.duty_contact, agency.duty_phone) == ("新值班员", "0554-1234567")
    entry = AuditEntry.objects.filter(object_type="agencies.agency", object_id=str(agency.pk)).latest("id")
    assert entry.detail["changes"]["duty_contact"]["after"] == "新值班员"


def _upload(client, text, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{CONSOLE}import/", {"file": SimpleUploadedFile("keys.csv", text.encode("utf-8")), **extra})


def test_csv_import_reports_every_bad_line_and_saves_nothing(admin_client, demo):
    response = _upload(admin_client, "kind,value,note\ndomain,ok.example.cn,\nbogus,1,\ncard_prefix,62284899,\n"
                                     "card_prefix,12ab,\ndomain,ok.example.cn,\n")
    assert response.status_code == 200
    errors = dict(response.context["errors"])
    assert set(errors) == {3, 4, 5, 6}
    assert "农业银行W市分行" in errors[4]
    assert not RoutingKey.objects.filter(value="ok.example.cn").exists()


def test_csv_import_errors_in_english(admin_client, demo):
    admin_client.cookies["django_language"] = "en"
    response = _upload(admin_client, "kind,value,note\nbogus,1,\n")
    text = response.content.decode()
    assert "Line 2" in text and "Unknown kind" in text


def test_csv_import_saves_keys_and_duty_contact(admin_client, demo):
    response = _upload(admin_client, "类型,值,备注\n域名,imported.example.cn,测试\nduty,导入值班员,0554-7654321\n")
    assert response.status_code == 302
    key = RoutingKey.objects.get(value="imported.example.cn")
    assert key.agency_id == demo["centre_admin"].agency_id and key.note == "测试"
    assert Agency.objects.get(pk=key.agency_id).duty_contact == "导入值班员"
    assert AuditEntry.objects.filter(object_type="agencies.routingkey", object_id=str(key.pk), action="create").exists()


def test_django_admin_is_for_superusers_only(client, demo):
    client.force_login(demo["centre_admin"])
    assert client.get("/admin/agencies/user/").status_code == 302  # to the admin's login
    assert not User.objects.get(username="centre_admin").is_staff
    client.force_login(demo["admin"])
    page = client.get("/admin/agencies/user/")
    assert page.status_code == 200
    assert b"delete_selected" not in page.content  # users are disabled, never deleted
