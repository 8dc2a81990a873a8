from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("实时事件")

    def ready(self):
        from django.conf import settings

        from .tasks import PUBLISH_EVERY_SECONDS

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "events-publish-pending", {"task": "events.tasks.publish_pending", "schedule": PUBLISH_EVERY_SECONDS}
        )
