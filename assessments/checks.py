"""Deployment checks of our own, run by `manage.py check --deploy`."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if settings.REQUIRE_TWO_FACTOR:
        return []
    return [
        Warning(
            "REQUIRE_TWO_FACTOR is off: reviewers, signatories and staff can act with a "
            "password alone.",
            hint="Unset REQUIRE_TWO_FACTOR (it is on by default) outside the local demo.",
            id="portal.W001",
        )
    ]


@register(Tags.security, deploy=True)
def keys_apart_from_what_they_protect(app_configs, **kwargs):
    """Whoever can take the files and the keys together can rewrite both: the signing keys and
    the audit MAC key belong on a volume of their own (a mounted secret)."""
    storage = settings.STORAGES["default"]
    if not storage["BACKEND"].endswith("FileSystemStorage"):
        return []
    files = Path(storage["OPTIONS"]["location"])
    if _device(Path(settings.SIGNING_KEYS_DIR)) != _device(files):
        return []
    return [
        Warning(
            f"SIGNING_KEYS_DIR ({settings.SIGNING_KEYS_DIR}) is on the same volume as the "
            f"stored files ({files}) it protects.",
            hint="Mount SIGNING_KEYS_DIR as a secret of its own, apart from the stored files "
            "(README, backups).",
            id="portal.W002",
        )
    ]


def _device(path: Path) -> int:
    """The device of the path, or of its nearest existing parent."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.stat().st_dev


@register(Tags.security, deploy=True)
def key_set_published(app_configs, **kwargs):
    """A key on file that the root-signed key set does not list signs reports no verifier
    believes (the portal's own check then refuses to issue them)."""
    from attestations import key_set

    if not Path(settings.SIGNING_KEYS_DIR).exists():
        return []
    stale = key_set.stale()
    if not stale:
        return []
    return [
        Warning(
            f"The signed key set does not list these keys as they are on file: {', '.join(stale)}.",
            hint="Run `python manage.py create_signing_key --if-missing` (with --root-key if the "
            "root's private key is kept elsewhere) to publish the key set again.",
            id="portal.W003",
        )
    ]
