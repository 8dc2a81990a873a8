from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .querysets import RestrictedQuerySet


def can_browse_audit(user) -> bool:
    """Agency admins browse their agency's log; the leadership office browses everything."""
    from agencies.choices import AgencyKind, Role

    return user.is_superuser or (
        user.agency_id is not None
        and (user.role == Role.AGENCY_ADMIN or user.agency.kind == AgencyKind.LEADERSHIP_OFFICE)
    )


class AuditEntryQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        from agencies.choices import AgencyKind

        if action != "view" or not can_browse_audit(user):
            return self.none()  # nobody edits the audit log, not even through the API
        if user.agency.kind == AgencyKind.LEADERSHIP_OFFICE:
            return self
        return self.filter(agency_id=user.agency_id)


class AuditEntry(models.Model):
    """One append-only line of the audit log: who did what to which object, and when.

    Rows are never updated or deleted: ``save`` refuses an update, and on PostgreSQL a trigger
    (migration 0002) refuses UPDATE and DELETE from any client, bulk operations included.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,  # the log outlives the user row (actor_username keeps the name)
    )
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class IdempotencyKey(models.Model):
    """Remembers the answer to a POST made with an ``Idempotency-Key`` header.

    The same key from the same user on the same endpoint returns the stored answer instead of
    creating a second object, so an agency system may safely retry after a time-out.
    """

    # No index of its own: the unique constraint's (user, key, endpoint) serves lookups by user
    # (the retry's, a user's deletion), and every keyed POST paid for a second one.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=128)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "endpoint"], name="uniq_idempotency_key")
        ]

    def __str__(self):
        return self.key


class AuditSealQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        return self.none()  # the chain is read by audit_verify and superusers, nobody else


class AuditSeal(models.Model):
    """One link of the audit log's hash chain: a digest over the entries it seals and the
    previous seal's digest.

    The beat task ``core.tasks.seal_audit_log`` seals, after their commit, the entries above the
    previous seal in id order (``core.services.audit_seal``), so writers never wait for it.
    Ids skipped by rolled-back transactions are normal: a seal lists the ids it covers and a
    short hash of each, so ``manage.py audit_verify`` can tell a deleted entry from a gap and
    name a changed one. Like the entries, seals are append-only (the app role may only INSERT
    and SELECT them).
    """

    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next", verbose_name=_("上一封存")
    )
    first_id = models.BigIntegerField(_("首条编号"), unique=True)
    last_id = models.BigIntegerField(_("末条编号"))
    count = models.PositiveIntegerField(_("条数"))
    entry_ids = models.JSONField(_("条目编号"), default=list)
    # The first 16 hex digits of each entry's SHA-256, in entry_ids order: names a changed entry.
    entry_hashes = models.JSONField(_("条目摘要"), default=list)
    digest = models.CharField(_("摘要"), max_length=64)
    # Entries dated from here on were left to a later seal (their transactions may still run).
    cutoff = models.DateTimeField(_("截止时间"))
    sealed_at = models.DateTimeField(_("封存时间"), auto_now_add=True)

    objects = AuditSealQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志封存")
        verbose_name_plural = _("审计日志封存")
        ordering = ["id"]

    def __str__(self):
        return f"{self.first_id}-{self.last_id} {self.digest[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit seals are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit seals are append-only.")
