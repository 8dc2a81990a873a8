from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台基础")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from .dbroles import grant_after_migrate

        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="core-grant-app-role")
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "core-seal-audit-log", {"task": "core.tasks.seal_audit_log", "schedule": 60.0}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "core-purge-idempotency-keys", {"task": "core.tasks.purge_idempotency_keys", "schedule": 3600.0}
        )
