from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """Stands in for Django's own, which sets anyone's password with no trace: a password
    known to an operator would let them speak for its owner (accounts/passwords.py)."""

    help = "Refused: people set their own passwords, through 'Forgotten your password?'."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(
            "Passwords are set only by their owners: ask the person to use 'Forgotten your "
            "password?' on the log-in page, which emails a link to their address; the change "
            "is then on the audit trail."
        )
