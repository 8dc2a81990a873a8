from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropagandaConfig(AppConfig):
    name = "propaganda"
    verbose_name = _("反诈宣传")

    def ready(self):
        from django.conf import settings

        from . import signals  # noqa: F401  (connects the receivers)

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "propaganda-sweep-fraud-free-titles",
            {"task": "propaganda.tasks.sweep_fraud_free_titles", "schedule": 3600.0},
        )
