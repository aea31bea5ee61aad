from django.core.management.base import BaseCommand, CommandError

from assessments.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 0 only when every link holds."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.intact:
            self.stdout.write(f"Audit trail intact: {report.checked} events verified.")
            return
        event = report.first_broken
        raise CommandError(
            f"Audit trail broken at event #{event.pk} ({event.action}, "
            f"{event.created_at:%Y-%m-%d %H:%M:%S} UTC): {report.problem}. "
            f"{report.checked} events before it verified."
        )
