from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard rollups from the source tables (all days, or from --since)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first local day to recompute (YYYY-MM-DD); default: everything")

    def handle(self, *args, since=None, **options):
        try:
            first = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError("--since must be a date like 2024-05-01") from None
        days = rebuild(since=first, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"rollups recomputed for {days} days"))
