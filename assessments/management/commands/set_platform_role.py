from django.core.management.base import BaseCommand, CommandError

from accounts.actors import SYSTEM
from accounts.platform_roles import PlatformRole, set_platform_role
from assessments.models import User


class Command(BaseCommand):
    help = "Grant or withdraw a platform role (reviewer, staff) from an account; audited."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=[r.value for r in PlatformRole])
        parser.add_argument("state", choices=["on", "off"])

    def handle(self, *args, email, role, state, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account has the email {email}.")
        try:
            set_platform_role(user, PlatformRole(role), state == "on", actor=SYSTEM)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{user.email}: {role} {state}.")
