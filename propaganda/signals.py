"""A new case in a fraud-free community takes its title away (services.titles_revoke_for_case)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import Case


@receiver(post_save, sender=Case, dispatch_uid="propaganda.case_breaks_fraud_free_run")
def case_breaks_fraud_free_run(sender, instance: Case, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        from .services import titles_revoke_for_case

        titles_revoke_for_case(case=instance)
