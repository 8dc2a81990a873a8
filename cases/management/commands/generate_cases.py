from django.core.management.base import BaseCommand

from cases.demo import seed_typologies_and_benign


class Command(BaseCommand):
    help = "Generate realistic synthetic cases: rings of varied size sharing indicators across regions."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--bulk", action="store_true", help="COPY + in-memory union-find (fast, for benchmarks)")

    def handle(self, *args, cases, seed, bulk, **options):
        seed_typologies_and_benign()
        if bulk:
            from cases.generator_bulk import write_bulk

            result = write_bulk(cases, seed=seed, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(str(result)))
        else:
            from cases.generator import write_via_services

            self.stdout.write(self.style.SUCCESS("%s cases" % write_via_services(cases, seed=seed)))
