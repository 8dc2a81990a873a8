"""Routing keys decide who receives stop-payments: an agency admin manages only its own, a key in
another agency's space needs a centre's approval, and every change reaches the agencies it touches.

Issue 17 §2: centre_admin added card prefix 62284899 inside 农业银行's 622848 in /admin/ and the
next stop-payment to 6228489900001111 went to the centre. Agency admins now write keys in the
console (issue 21 §4); the Django admin is the superuser's and goes through the same services.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.choices import Role, RoutingKeyKind, RoutingKeyStatus
from agencies.models import Agency, RoutingKey, User
from agencies.services import routing_key_approve, routing_key_create, routing_key_delete, routing_key_update
from alerts.routing import route_account, route_domain
from core.models import AuditEntry
from events.models import Event, StagedEvent

ABC_CARD = "6228489900001111"


@pytest.fixture
def abc(demo):
    return Agency.objects.get(code="bank-abc")


@pytest.fixture
def centre(demo):
    return demo["centre_admin"].agency


@pytest.fixture
def abc_admin(abc):
    return User.objects.create_user("abc_admin", password="x", agency=abc, role=Role.AGENCY_ADMIN, is_staff=True)


@pytest.fixture
def admin_client(demo, client):
    client.force_login(demo["centre_admin"])
    return client


def add_in_admin(client, agency, value, kind="card_prefix", **extra):
    """Add a key in the console (always to the admin's own agency: ``agency`` is not sent)."""
    return client.post("/agencies/console/routing-keys/", {"kind": kind, "value": value, "note": "", **extra})


def routed_events(agency) -> list[dict]:
    return [e.payload for e in StagedEvent.objects.filter(agency_id=agency.pk, kind="routing_key.changed").order_by("id")] + \
        [e.payload for e in Event.objects.filter(agency_id=agency.pk, kind="routing_key.changed").order_by("id")]


@pytest.mark.django_db
def test_centre_admin_cannot_take_over_a_banks_card_prefix_in_admin(admin_client, centre, abc):
    response = add_in_admin(admin_client, centre, "62284899")
    assert response.status_code == 400  # the form again, with the error
    assert "农业银行W市分行（622848）" in response.content.decode()
    assert not RoutingKey.objects.filter(value="62284899").exists()
    assert route_account(ABC_CARD).agency == abc


@pytest.mark.django_db
def test_a_shorter_prefix_covering_a_banks_is_refused_too(admin_client, centre):
    response = add_in_admin(admin_client, centre, "6228")
    assert response.status_code == 400 and "农业银行W市分行" in response.content.decode()
    assert not RoutingKey.objects.filter(value="6228").exists()


@pytest.mark.django_db
def test_a_parent_domain_of_a_platforms_domain_is_refused(admin_client, centre):
    response = add_in_admin(admin_client, centre, "pay.weixin.qq.com", kind="domain")
    assert response.status_code == 400 and "腾讯" in response.content.decode()
    assert route_domain("https://pay.weixin.qq.com/x").agency.code != centre.code


@pytest.mark.django_db
def test_overlapping_key_requested_for_approval_is_pending_and_does_not_route(admin_client, centre, abc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = add_in_admin(admin_client, centre, "62284899", request_approval="on")
    assert response.status_code == 302
    key = RoutingKey.objects.get(value="62284899")
    assert key.agency == centre and key.status == RoutingKeyStatus.PENDING
    assert route_account(ABC_CARD).agency == abc
    # 农业银行 is told, with what touched its space
    [payload] = routed_events(abc)
    assert payload["change"] == "created" and payload["value"] == "62284899" and payload["status"] == "pending"
    assert payload["overlaps"] == [{"agency_id": abc.pk, "agency": abc.name, "value": "622848"}]


@pytest.mark.django_db
def test_centre_analyst_approves_with_a_reason_and_then_it_routes(demo, centre, abc):
    key = routing_key_create(actor=demo["centre_admin"], agency=centre, kind=RoutingKeyKind.CARD_PREFIX,
                             value="62284899", request_approval=True)
    with pytest.raises(ValidationError):
        routing_key_approve(actor=demo["analyst"], key=key, reason="  ")
    routing_key_approve(actor=demo["analyst"], key=key, reason="专案账户段，经农业银行确认由中心直接接收")
    key.refresh_from_db()
    assert key.status == RoutingKeyStatus.ACTIVE and key.approved_by == demo["analyst"] and key.approved_at
    assert route_account(ABC_CARD).agency == centre
    assert [p["change"] for p in routed_events(abc)] == ["created", "approved"]
    with pytest.raises(ValidationError):  # only a pending key is approved
        routing_key_approve(actor=demo["analyst"], key=key, reason="again")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["centre_admin", "bank_a", "bank_b", "officer", "leader"])
def test_only_a_centres_analyst_or_supervisor_approves(demo, centre, username):
    key = routing_key_create(actor=demo["centre_admin"], agency=centre, kind=RoutingKeyKind.CARD_PREFIX,
                             value="62284899", request_approval=True)
    with pytest.raises(PermissionDenied):
        routing_key_approve(actor=demo[username], key=key, reason="我说了算")
    key.refresh_from_db()
    assert key.status == RoutingKeyStatus.PENDING


@pytest.mark.django_db
def test_agency_admin_writes_only_its_own_agencys_keys_through_the_services(demo, abc):
    abc_key = RoutingKey.objects.get(agency=abc, value="622848")
    admin = demo["centre_admin"]
    with pytest.raises(PermissionDenied):
        routing_key_create(actor=admin, agency=abc, kind=RoutingKeyKind.CARD_PREFIX, value="99887766")
    with pytest.raises(PermissionDenied):
        routing_key_update(actor=admin, key=abc_key, value="62284899")
    with pytest.raises(PermissionDenied):
        routing_key_delete(actor=admin, key=abc_key)
    with pytest.raises(PermissionDenied):  # an officer of the bank is no admin
        routing_key_create(actor=demo["bank_b"], agency=abc, kind=RoutingKeyKind.CARD_PREFIX, value="99887766")
    abc_key.refresh_from_db()
    assert abc_key.value == "622848"


@pytest.mark.django_db
def test_agency_admin_cannot_delete_another_agencys_key_in_admin(admin_client, abc):
    abc_key = RoutingKey.objects.get(agency=abc, value="622848")
    response = admin_client.post(f"/agencies/console/routing-keys/{abc_key.pk}/delete/")
    assert response.status_code == 404
    assert RoutingKey.objects.filter(pk=abc_key.pk).exists()


@pytest.mark.django_db
def test_admin_change_and_delete_of_own_key_go_through_the_services(admin_client, demo, centre):
    add_in_admin(admin_client, centre, "99887766")
    key = RoutingKey.objects.get(value="99887766")
    assert key.status == RoutingKeyStatus.ACTIVE
    admin_client.logout()
    admin_client.force_login(demo["admin"])  # the superuser's admin site calls the same services
    response = admin_client.post(f"/admin/agencies/routingkey/{key.pk}/change/",
                                 {"kind": "card_prefix", "value": "622848001", "note": ""})
    assert response.status_code == 200 and "农业银行W市分行" in response.content.decode()
    response = admin_client.post(f"/admin/agencies/routingkey/{key.pk}/change/",
                                 {"kind": "card_prefix", "value": "99887755", "note": "专案"})
    assert response.status_code == 302
    response = admin_client.post(f"/admin/agencies/routingkey/{key.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not RoutingKey.objects.filter(pk=key.pk).exists()
    actions = list(AuditEntry.objects.filter(object_type="agencies.routingkey", object_id=str(key.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


@pytest.mark.django_db
def test_the_touched_agency_sees_the_change_in_its_audit_log(client, demo, centre, abc, abc_admin):
    key = routing_key_create(actor=demo["centre_admin"], agency=centre, kind=RoutingKeyKind.CARD_PREFIX,
                             value="62284899", request_approval=True)
    routing_key_approve(actor=demo["supervisor"], key=key, reason="专案需要")
    client.force_login(abc_admin)
    page = client.get("/audit/")
    assert page.status_code == 200
    lines = [e for e in page.context["object_list"] if e.object_type == "agencies.routingkey"]
    assert {(e.action, e.actor_username) for e in lines} == {("create", "centre_admin"), ("transition", "supervisor")}
    assert all(e.detail["value"] == "62284899" and e.detail["agency"]["id"] == centre.pk for e in lines)
    # and the centre's own log has both lines as well
    assert AuditEntry.objects.filter(agency_id=centre.pk, object_type="agencies.routingkey").count() == 2


@pytest.mark.django_db
def test_same_agency_may_nest_its_own_keys_and_bad_values_are_refused(demo, abc):
    abc_admin = User.objects.create_user("abc_admin2", agency=abc, role=Role.AGENCY_ADMIN)
    key = routing_key_create(actor=abc_admin, agency=abc, kind=RoutingKeyKind.CARD_PREFIX, value="6228481")
    assert key.status == RoutingKeyStatus.ACTIVE
    for kind, value in [(RoutingKeyKind.CARD_PREFIX, "62x8"), (RoutingKeyKind.DOMAIN, "not a domain"),
                        (RoutingKeyKind.CARD_PREFIX, "6228481")]:
        with pytest.raises(ValidationError):
            routing_key_create(actor=abc_admin, agency=abc, kind=kind, value=value)


@pytest.mark.django_db
def test_centre_analyst_approves_on_the_pending_page(client, demo, centre, abc):
    key = routing_key_create(actor=demo["centre_admin"], agency=centre, kind=RoutingKeyKind.CARD_PREFIX,
                             value="62284899", request_approval=True)
    client.force_login(demo["analyst"])
    page = client.get("/agencies/routing-keys/pending/")
    assert page.status_code == 200
    assert "62284899" in page.content.decode() and "农业银行W市分行" in page.content.decode()
    response = client.post(f"/agencies/routing-keys/{key.pk}/approve/", {"reason": ""}, follow=True)
    assert "审批必须填写理由" in response.content.decode()
    client.post(f"/agencies/routing-keys/{key.pk}/approve/", {"reason": "专案需要"})
    key.refresh_from_db()
    assert key.status == RoutingKeyStatus.ACTIVE and key.approval_reason == "专案需要"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["centre_admin", "bank_b"])
def test_others_cannot_reach_the_approval_page(client, demo, centre, username):
    key = routing_key_create(actor=demo["centre_admin"], agency=centre, kind=RoutingKeyKind.CARD_PREFIX,
                             value="62284899", request_approval=True)
    client.force_login(demo[username])
    assert client.get("/agencies/routing-keys/pending/").status_code == 403
    assert client.post(f"/agencies/routing-keys/{key.pk}/approve/", {"reason": "x"}).status_code == 403
    key.refresh_from_db()
    assert key.status == RoutingKeyStatus.PENDING
