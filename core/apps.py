from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台基础")

    def ready(self):
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "core-purge-idempotency-keys", {"task": "core.tasks.purge_idempotency_keys", "schedule": 3600.0}
        )
