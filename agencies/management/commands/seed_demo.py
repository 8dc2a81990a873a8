from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import seed_agencies


class Command(BaseCommand):
    help = "Load the W city demo data (idempotent: running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production mode")

    def handle(self, *args, force=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("seed_demo sets known demo passwords; refusing in production (use --force).")
        counts = seed_agencies()
        self.stdout.write(self.style.SUCCESS(f"W city agencies: {counts}"))
        # Later stages of the demo (cases, requests, publicity) register themselves here.
        from dashboards.rollups import refresh_deferred

        with refresh_deferred():  # the last stage rebuilds every rollup from what the others wrote
            for label, seed in _later_seeds():
                self.stdout.write(self.style.SUCCESS(f"{label}: {seed()}"))


def _later_seeds():
    """Seed functions of the other apps, in dependency order."""
    from alerts.demo import seed_requests

    from cases.demo import seed_cases

    seeds = [("cases", seed_cases)]
    seeds.append(("requests", seed_requests))  # keep after the cases seed: requests point at cases
    from propaganda.demo import seed_publicity

    seeds.append(("publicity", seed_publicity))  # after cases: the bulletin draft reads them
    from dashboards.demo import seed_dashboards

    seeds.append(("dashboards", seed_dashboards))  # last: rolls up what the seeds above wrote
    return seeds
