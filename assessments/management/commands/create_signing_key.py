from pathlib import Path

from django.core.management.base import BaseCommand

from attestations import key_set, platform_root
from attestations.audit import mac_key
from attestations.signing_keys import all_keys, create_key, keys_dir


class Command(BaseCommand):
    help = (
        "Create the platform's report-signing key in SIGNING_KEYS_DIR, certified by the platform "
        "root (made first if there is none), and publish the key set signed by the root. With "
        "--if-missing, only when no usable key certified by the root exists; otherwise a new key "
        "(a rotation: the new key signs from now on, the old certificates stay published). "
        "Also makes the audit trail's MAC key there, unless AUDIT_MAC_KEY is set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true")
        parser.add_argument(
            "--root-key",
            type=Path,
            help="the root's private key, when it is kept away from SIGNING_ROOT_DIR",
        )

    def handle(self, *args, if_missing, root_key, **options):
        mac_key()  # made now, where the operator can see it, not at the first event
        usable = [k for k in all_keys() if k.key_path is not None] if keys_dir().exists() else []
        if if_missing and usable and usable[-1].certified:
            if key_set.stale():
                key_set.publish(root_key_path=root_key)
            self.stdout.write(
                f"Signing key {usable[-1].kid} in {keys_dir()}; platform root SHA-256 "
                f"{platform_root.fingerprint()}."
            )
            return
        key = create_key(root_key_path=root_key)
        key_set.publish(root_key_path=root_key)
        self.stdout.write(
            f"Created signing key {key.kid} in {keys_dir()} (certificate SHA-256 "
            f"{key.fingerprint}), certified by the platform root SHA-256 "
            f"{platform_root.fingerprint()}; the signed key set is published."
        )
