"""Writes of the agencies app: routing keys, and users' credentials (tokens, sockets).

Routing keys.

A routing key decides which agency receives a stop-payment, a freeze or a takedown, so a key
written into another agency's space takes that agency's orders (the longest prefix wins). Every
change goes through these services, from the admin site or anywhere else:
- an agency admin writes only its own agency's keys (``_authorize_routing_key_change``);
- a key that overlaps another agency's key of the same kind (one a prefix of the other; for
  domains, one a parent domain of the other; app ids the same) is refused, naming that agency,
  unless approval is requested: then it is stored ``pending`` (routing ignores it) until an
  anti-fraud centre's analyst or supervisor approves it with a reason (``routing_key_approve``);
- every change is audited in the log of the key's agency, of the actor's and of each agency
  whose space it touches, and announced to those agencies with a ``routing_key.changed`` event.

Credentials. A token is DRF's ``Token`` (one per user). It expires ``API_TOKEN_TTL_HOURS`` after it was
issued (core.api.authentication refuses it then, with 401), and is revoked by its user, by the
user's agency admin, on a password change and when the user is disabled (agencies.signals: the
admin, Django's password views and ``manage.py changepassword`` all save the user, so the
signal sees every one of them).

Sockets are authenticated once, when they open. Whenever a user's credentials change, every
socket of that user is told after the commit to check its own credentials again
(events.services.user_sockets_check): a hint through the channel layer; the stored session,
token and user are the truth, and the consumer also re-checks them on its own every few
seconds while it forwards events (events.consumers).
"""

import re
import zlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.choices import AuditAction
from core.policy import authorize
from core.services import audit_entry, audit_record, audit_record_many
from events.services import event_emit, user_sockets_check

from .choices import Role, RoutingKeyKind, RoutingKeyStatus
from .models import Agency, RoutingKey, User
from .selectors import routing_key_change_audience, routing_key_overlaps


EVENT_KIND = "routing_key.changed"
PREFIX_KINDS = frozenset({RoutingKeyKind.CARD_PREFIX, RoutingKeyKind.NUMBER_SEGMENT})
_DOMAIN = re.compile(r"^(?=.{1,100}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _authorize_routing_key_change(actor, key: RoutingKey, action: str) -> None:
    """Who may do ``action`` (create, update, delete, approve) to ``key``: the policy's
    ``routingkey.change`` (the key's own agency admin) and ``routingkey.approve`` (an anti-fraud
    centre's analyst or supervisor), core.policy. The platform superuser, who has no agency,
    manages keys in the admin site, outside the member policy."""
    if actor is not None and actor.is_authenticated and actor.is_active and actor.is_superuser:
        return
    if action == "approve":
        authorize(actor, "routingkey.approve", message=_("只有反诈中心的研判员或主管可以审批路由键。"))
    else:
        authorize(actor, "routingkey.change", key, message=_("单位管理员只能管理本单位的路由键。"))


def routing_key_normalize(*, kind: str, value: str) -> str:
    """The stored form of a key's value; a ValidationError names what is wrong with it."""
    value = (value or "").strip()
    if kind in PREFIX_KINDS:
        value = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(r"\d{1,19}", value):
            raise ValidationError({"value": _("卡号前缀和号段只能是 1 到 19 位数字。")})
    elif kind == RoutingKeyKind.DOMAIN:
        value = value.lower().rstrip(".")
        if not _DOMAIN.match(value):
            raise ValidationError({"value": _("请输入域名，例如 example.com。")})
    elif kind == RoutingKeyKind.APP_ID:
        if not value:
            raise ValidationError({"value": _("请输入应用标识。")})
    else:
        raise ValidationError({"kind": _("未知的路由键类型。")})
    return value


def routing_key_check(*, agency: Agency, kind: str, value: str, request_approval: bool = False,
                      exclude_pk: int | None = None) -> tuple[str, list[RoutingKey]]:
    """Validate a key about to be written: its normalised value and the other agencies' keys it
    overlaps. Overlapping without ``request_approval`` is a ValidationError naming them (the
    admin form calls this to show it; the services call it again inside their lock)."""
    value = routing_key_normalize(kind=kind, value=value)
    same = RoutingKey.objects.filter(agency=agency, kind=kind, value=value)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"value": _("本单位已有这个路由键。")})
    overlaps = routing_key_overlaps(kind=kind, value=value, agency_id=agency.pk)
    if overlaps and not request_approval:
        raise ValidationError({"value": _("与其他单位的路由键重叠：%(overlaps)s。如确需使用，请申请反诈中心审批。")
                               % {"overlaps": _overlap_names(overlaps)}})
    return value, overlaps


def _overlap_names(overlaps: list[RoutingKey]) -> str:
    return "、".join("%s（%s）" % (key.agency.name, key.value) for key in overlaps)


def _lock_routing_space(kind: str) -> None:
    """Serialise writes of one kind of key, so two overlapping keys cannot both pass the check.
    Routing-key writes are rare; routing itself only reads and never waits for this."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x726B, zlib.crc32(kind.encode()) & 0x7FFFFFFF])


def _announce(*, actor, key: RoutingKey, change: str, overlaps: list[RoutingKey], request=None,
              detail: dict | None = None) -> None:
    """Audit the change in the log of every agency it concerns and send them an event."""
    snapshot = {
        "change": change,
        "routing_key": key.pk,
        "agency": {"id": key.agency_id, "name": key.agency.name},
        "kind": key.kind,
        "value": key.value,
        "status": key.status,
        "overlaps": [{"agency_id": other.agency_id, "agency": other.agency.name, "value": other.value}
                     for other in overlaps],
        **(detail or {}),
    }
    action = {"created": AuditAction.CREATE, "deleted": AuditAction.DELETE,
              "approved": AuditAction.TRANSITION}.get(change, AuditAction.UPDATE)
    audience = routing_key_change_audience(snapshot)
    logs = sorted(audience | ({actor.agency_id} if actor.agency_id else set()))
    audit_record_many([audit_entry(actor=actor, action=action, obj=key, detail=snapshot, request=request, agency_id=agency_id)
                       for agency_id in logs])
    event_emit(kind=EVENT_KIND, subject=snapshot, payload=snapshot)


@transaction.atomic
def routing_key_create(*, actor, agency: Agency, kind: str, value: str, note: str = "",
                       request_approval: bool = False, request=None) -> RoutingKey:
    """Add a routing key to ``agency``: active, or pending a centre's approval if it overlaps
    another agency's key and ``request_approval`` is set (refused otherwise)."""
    key = RoutingKey(agency=agency, kind=kind, value=value, note=note)
    _authorize_routing_key_change(actor, key, "create")
    _lock_routing_space(kind)
    key.value, overlaps = routing_key_check(agency=agency, kind=kind, value=value, request_approval=request_approval)
    key.status = RoutingKeyStatus.PENDING if overlaps else RoutingKeyStatus.ACTIVE
    key.save()
    _announce(actor=actor, key=key, change="created", overlaps=overlaps, request=request)
    return key


@transaction.atomic
def routing_key_update(*, actor, key: RoutingKey, kind: str | None = None, value: str | None = None,
                       note: str | None = None, request_approval: bool = False, request=None) -> RoutingKey:
    """Change a key's kind, value or note. A new kind or value is checked as a new key would be
    and loses any earlier approval; the agency never changes (delete and add instead)."""
    key = RoutingKey.objects.select_for_update().select_related("agency").get(pk=key.pk)
    _authorize_routing_key_change(actor, key, "update")
    before = {"kind": key.kind, "value": key.value, "note": key.note, "status": key.status}
    kind = kind or key.kind
    value = key.value if value is None else routing_key_normalize(kind=kind, value=value)
    moved = kind != key.kind or value != key.value
    overlaps = []
    if moved:
        _lock_routing_space(kind)
        key.value, overlaps = routing_key_check(agency=key.agency, kind=kind, value=value,
                                                request_approval=request_approval, exclude_pk=key.pk)
        key.kind = kind
        key.status = RoutingKeyStatus.PENDING if overlaps else RoutingKeyStatus.ACTIVE
        key.approved_by, key.approved_at, key.approval_reason = None, None, ""
    if note is not None:
        key.note = note
    key.save()
    if moved:  # the space it left is touched too
        left = routing_key_overlaps(kind=before["kind"], value=before["value"], agency_id=key.agency_id)
        overlaps += [other for other in left if other not in overlaps]
    _announce(actor=actor, key=key, change="updated", overlaps=overlaps, request=request, detail={"before": before})
    return key


@transaction.atomic
def routing_key_delete(*, actor, key: RoutingKey, request=None) -> None:
    """Remove a key; the agencies whose keys it overlapped are told (their space is theirs again)."""
    key = RoutingKey.objects.select_for_update().select_related("agency").get(pk=key.pk)
    _authorize_routing_key_change(actor, key, "delete")
    overlaps = routing_key_overlaps(kind=key.kind, value=key.value, agency_id=key.agency_id)
    pk = key.pk
    key.delete()
    key.pk = pk  # the audit line names the key that was
    _announce(actor=actor, key=key, change="deleted", overlaps=overlaps, request=request)


@transaction.atomic
def routing_key_approve(*, actor, key: RoutingKey, reason: str, request=None) -> RoutingKey:
    """A centre approves a pending (overlapping) key with a reason: it routes from now on."""
    key = RoutingKey.objects.select_for_update().select_related("agency").get(pk=key.pk)
    _authorize_routing_key_change(actor, key, "approve")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("审批必须填写理由。")})
    if key.status != RoutingKeyStatus.PENDING:
        raise ValidationError(_("这个路由键不在待审批状态。"))
    key.status, key.approved_by, key.approved_at, key.approval_reason = (
        RoutingKeyStatus.ACTIVE, actor, timezone.now(), reason[:255])
    key.save(update_fields=["status", "approved_by", "approved_at", "approval_reason"])
    overlaps = routing_key_overlaps(kind=key.kind, value=key.value, agency_id=key.agency_id)
    _announce(actor=actor, key=key, change="approved", overlaps=overlaps, request=request, detail={"reason": key.approval_reason})
    return key


# ---------------------------------------------------------------- credentials


def token_expires_at(token: Token):
    return token.created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's token: the current one while it is valid, a new one once it expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


@transaction.atomic
def token_revoke(*, user: User, actor: User | None, request=None, reason: str = "revoked") -> bool:
    """Delete the user's token and close the sockets it opened. True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action=AuditAction.DELETE, obj=user,
                     detail={"token": "revoked", "reason": reason}, request=request)
        user_sockets_check(user_id=user.pk)
    return bool(deleted)


def user_credentials_changed(*, user: User, reason: str) -> None:
    """The password changed or the user was disabled: the token goes, and every socket of the
    user re-checks (a disabled user's and other sessions' sockets close; the session that
    changed its own password keeps its socket, as Django keeps that session)."""
    if not token_revoke(user=user, actor=None, reason=reason):  # a revoked token sent the hint
        user_sockets_check(user_id=user.pk)


def user_session_ended(*, user: User, session_key: str | None) -> None:
    """A logout: the sockets opened with that session close."""
    user_sockets_check(user_id=user.pk, ended_session=session_key)


# ---------------------------------------------------------------- the agency admin's console
#
# An agency admin manages their own agency's people from the console (agencies.console_views):
# users are created, given a role, disabled (never deleted: the audit log names them), have a
# password reset and their sessions ended; the duty contact is kept current. Each write checks
# ``user.manage`` / ``agency.duty_change`` (core.policy: the admin's own agency only) and leaves
# one audit line whose ``detail["changes"]`` holds each field's before and after.


def _changes(before: dict, after: dict) -> dict:
    return {name: {"before": before.get(name), "after": value} for name, value in after.items()
            if before.get(name) != value}


def _managed_user(actor, user: User) -> User:
    """The user row, locked, once the actor may manage it (their own agency's, not themselves
    for the moves that would lock them out)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    authorize(actor, "user.manage", user, message=_("单位管理员只能管理本单位的用户。"))
    return user


@transaction.atomic
def user_create(*, actor: User, username: str, first_name: str, role: str, password: str,
                phone: str = "", request=None) -> User:
    """A new user of the actor's own agency; the password is checked by Django's validators."""
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username.strip(), first_name=first_name.strip(), role=role, phone=phone.strip(),
                agency_id=actor.agency_id if actor.is_authenticated else None)
    authorize(actor, "user.manage", user, message=_("单位管理员只能管理本单位的用户。"))
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user, request=request, detail={"changes": _changes(
        {}, {"username": user.username, "first_name": user.first_name, "role": user.role, "phone": user.phone})})
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, role: str | None = None, first_name: str | None = None,
                phone: str | None = None, request=None) -> User:
    """Change a user's role, name or phone. An admin cannot take away their own admin role
    (the agency would be left without one by mistake)."""
    user = _managed_user(actor, user)
    if role is not None and role not in Role.values:
        raise ValidationError({"role": _("未知的角色。")})
    if user.pk == actor.pk and role is not None and role != user.role:
        raise ValidationError({"role": _("不能修改自己的角色。")})
    before = {"role": user.role, "first_name": user.first_name, "phone": user.phone}
    wanted = {k: v for k, v in {"role": role, "first_name": first_name, "phone": phone}.items() if v is not None}
    changes = _changes(before, wanted)
    if not changes:
        return user
    for name, change in changes.items():
        setattr(user, name, change["after"])
    user.save(update_fields=list(changes))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail={"changes": changes})
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, request=None) -> User:
    """Disable (or enable again) a user. A disabled user cannot log in; their sessions stop
    (Django refuses an inactive user's session), their API token is revoked and their sockets
    close (agencies.signals). Users are never deleted: the log keeps naming them."""
    user = _managed_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return user
    changes = _changes({"is_active": user.is_active}, {"is_active": active})
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail={"changes": changes})
    return user


@transaction.atomic
def user_password_reset(*, actor: User, user: User, password: str, request=None) -> User:
    """Set a new password (the admin tells the user). Every session and the API token of the
    user end with the old password."""
    from django.contrib.auth.password_validation import validate_password

    user = _managed_user(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail={"password": "reset"})
    return user


@transaction.atomic
def user_force_logout(*, actor: User, user: User, request=None) -> User:
    """End every session of the user (``User.session_epoch``), revoke their API token and close
    their sockets; the password stays."""
    user = _managed_user(actor, user)
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    token_revoke(user=user, actor=actor, request=request, reason="forced_logout")
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail={"sessions": "ended"})
    transaction.on_commit(lambda: user_sockets_check(user_id=user.pk))
    return user


@transaction.atomic
def agency_duty_update(*, actor: User, agency: Agency, duty_contact: str, duty_phone: str, request=None) -> Agency:
    """The agency's on-duty contact, as the directory shows it to every member."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    authorize(actor, "agency.duty_change", agency, message=_("单位管理员只能修改本单位的值班信息。"))
    changes = _changes({"duty_contact": agency.duty_contact, "duty_phone": agency.duty_phone},
                       {"duty_contact": duty_contact.strip()[:50], "duty_phone": duty_phone.strip()[:30]})
    if changes:
        for name, change in changes.items():
            setattr(agency, name, change["after"])
        agency.save(update_fields=list(changes))
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=agency, request=request, detail={"changes": changes})
    return agency
