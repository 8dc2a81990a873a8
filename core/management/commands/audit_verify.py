"""``manage.py audit_verify``: recompute the audit log's hash chain; exit 1 on any finding.

Run it as any role that can read the log. It names each changed, deleted or inserted entry and
each broken seal, and prints the chain's head digest: compare it with the one the sealer logged
(``core.services.audit_seal``) to catch a chain rewritten by someone who can write the seals.
"""

from django.core.management.base import BaseCommand, CommandError

from core.selectors import audit_chain_check


class Command(BaseCommand):
    help = "Verify the audit log against its hash chain (exit 1 if an entry was changed, deleted or inserted)."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="seal pending entries first")

    def handle(self, *args, seal=False, **options):
        if seal:
            from core.services import audit_seal

            audit_seal()
        report = audit_chain_check()
        for problem in report.problems:
            self.stderr.write(problem.message)
        self.stdout.write("seals: %d, sealed entries: %d, not yet sealed: %d, head digest: %s"
                          % (report.seals, report.sealed_entries, report.unsealed_entries, report.head_digest or "-"))
        if report.problems:
            raise CommandError("audit log check failed: %d finding(s)" % len(report.problems))
        self.stdout.write("audit log intact")
