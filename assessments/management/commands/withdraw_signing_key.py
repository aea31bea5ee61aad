from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attestations import key_set
from attestations.signing_keys import UnknownKey, withdraw


class Command(BaseCommand):
    help = (
        "Withdraw a signing key from a date on (now, unless --at says when it was lost): it "
        "signs nothing more, and the key set signed by the root says so. Reports it signed "
        "before the date stay valid; anything bearing a later signing time is not valid. "
        "Create a new key afterwards with create_signing_key."
    )

    def add_arguments(self, parser):
        parser.add_argument("kid", help="the key's id, as /verify/ lists it")
        parser.add_argument("--reason", required=True, help="why, as readers of the set see it")
        parser.add_argument(
            "--at", help="ISO 8601 date and time from which the key is not believed (UTC)"
        )
        parser.add_argument("--root-key", type=Path, help="the root's private key, if kept away")

    def handle(self, *args, kid, reason, at, root_key, **options):
        try:
            moment = datetime.fromisoformat(at) if at else timezone.now()
        except ValueError as exc:
            raise CommandError(f"--at {at!r} is not an ISO 8601 date and time.") from exc
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        try:
            key = withdraw(kid, at=moment, reason=reason)
        except (UnknownKey, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        key_set.publish(root_key_path=root_key)
        self.stdout.write(
            f"Withdrew key {key.kid} from {key.withdrawn_at.isoformat()}; the signed key set is "
            "published. Run create_signing_key to sign with a new key."
        )
