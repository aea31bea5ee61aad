from django.core.management.base import BaseCommand, CommandError

from accounts.actors import SYSTEM
from accounts.platform_roles import create_platform_admin


class Command(BaseCommand):
    help = (
        "Create the first platform administrator (staff, Django admin, reviewer) with a random "
        "password and an authenticator app already enrolled; both are printed once. Later "
        "accounts get their roles with set_platform_role."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="the person's full name")

    def handle(self, *args, email, name, **options):
        try:
            user, password, device, codes = create_platform_admin(email, name, actor=SYSTEM)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Created platform administrator {user.email}.\n"
            f"  Password (shown once; change it after signing in): {password}\n"
            f"  Authenticator: add this to an authenticator app (or as a QR code):\n"
            f"    {device.config_url}\n"
            f"  Recovery codes (each works once; keep them offline): {' '.join(codes)}"
        )
