from django.core.management.base import BaseCommand

from attestations.audit import mac_key
from attestations.signing_keys import all_keys, create_key, keys_dir


class Command(BaseCommand):
    help = (
        "Create the platform's report-signing key and self-signed certificate in "
        "SIGNING_KEYS_DIR. With --if-missing, only when there is none; otherwise a new key "
        "(a rotation: the new key signs from now on, the old certificates stay published). "
        "Also makes the audit trail's MAC key there, unless AUDIT_MAC_KEY is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true")

    def handle(self, *args, if_missing, **options):
        mac_key()  # made now, where the operator can see it, not at the first event
        usable = [k for k in all_keys() if k.key_path is not None] if keys_dir().exists() else []
        if if_missing and usable:
            self.stdout.write(f"Signing key {usable[-1].kid} in {keys_dir()}.")
            return
        key = create_key()
        self.stdout.write(
            f"Created signing key {key.kid} in {keys_dir()} (SHA-256 {key.fingerprint})."
        )
