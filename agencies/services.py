"""Writes on users' credentials: API tokens, and the sockets that outlive a session.

A token is DRF's ``Token`` (one per user). It expires ``API_TOKEN_TTL_HOURS`` after it was
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

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.choices import AuditAction
from core.services import audit_record
from events.services import user_sockets_check

from .models import User


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
