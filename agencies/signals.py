"""Logins and logouts go to the audit log (failed logins too, with the name that was tried);
a logout, a password change and disabling a user end that user's credentials (agencies.services);
a change to a token, its user or its agency drops the cached token (core.api.authentication)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from core.api.authentication import token_cache_forget
from core.choices import AuditAction
from core.services import audit_record

from .models import Agency


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, request=request)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        detail={"username": str(credentials.get("username", ""))[:150]},
        request=request,
    )


@receiver(user_logged_out)
def _close_the_sessions_sockets(sender, request, user, **kwargs):
    if user is not None:
        from .services import user_session_ended

        session = getattr(request, "session", None)
        user_session_ended(user=user, session_key=session.session_key if session is not None else None)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_credentials_on_password_change_or_disable(sender, instance, created, update_fields=None, **kwargs):
    # set_password() leaves the new password in ``_password`` until save() has run (a hash
    # upgrade at login clears it first: not a change). Every path that changes a password or
    # disables a user saves the user: the admin, Django's password views, changepassword.
    if created:
        return
    from .services import user_credentials_changed

    if getattr(instance, "_password", None) is not None:
        user_credentials_changed(user=instance, reason="password_changed")
    elif not instance.is_active and (update_fields is None or "is_active" in update_fields):
        user_credentials_changed(user=instance, reason="disabled")


# The API keeps a token with its user and agency in the cache (core.api.authentication): a
# change to any of them must be seen by the next call, not a minute later.
@receiver([post_save, post_delete], sender=Token)
def _forget_cached_token(sender, instance, **kwargs):
    token_cache_forget([instance.key])


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _forget_cached_user_tokens(sender, instance, created, **kwargs):
    if not created:
        token_cache_forget(Token.objects.filter(user=instance).values_list("key", flat=True))


@receiver(post_save, sender=Agency)
def _forget_cached_agency_tokens(sender, instance, created, **kwargs):
    if not created:
        token_cache_forget(Token.objects.filter(user__agency=instance).values_list("key", flat=True))
