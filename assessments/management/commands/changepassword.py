from assessments.management.refused import RefusedCommand


class Command(RefusedCommand):
    """Django's own sets anyone's password with no trace: a password known to an operator
    would let them speak for its owner (accounts/passwords.py)."""

    help = "Refused: people set their own passwords, through 'Forgotten your password?'."
    instead = (
        "Passwords are set only by their owners: ask the person to use 'Forgotten your "
        "password?' on the log-in page, which emails a link to their address; the change is "
        "then on the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--database")
