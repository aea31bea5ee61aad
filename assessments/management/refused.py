from django.core.management.base import BaseCommand, CommandError


class RefusedCommand(BaseCommand):
    """Stands in for a command of Django's that would change people off the audit trail: it
    takes the usual arguments, changes nothing and says what to do instead."""

    instead: str

    def handle(self, *args, **options):
        raise CommandError(self.instead)
