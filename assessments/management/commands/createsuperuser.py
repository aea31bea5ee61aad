from assessments.management.refused import RefusedCommand


class Command(RefusedCommand):
    """Django's own makes an account with every power, a password typed by the operator and
    no second factor, off the audit trail."""

    help = "Refused: use create_platform_admin (audited, with an authenticator enrolled)."
    instead = (
        "Platform administrators are made with `manage.py create_platform_admin EMAIL --name "
        "NAME` (a random password and an authenticator, both shown once, on the audit trail); "
        "other accounts get their roles with set_platform_role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")
