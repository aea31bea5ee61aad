"""Read, validate and publish framework files.

Publishing is idempotent: loading the same content again changes nothing. A published
version is immutable: different content under the same version is refused.
"""

from pathlib import Path

import yaml
from pydantic import ValidationError

from assessments.models import FrameworkVersion
from attestations.canonical import canonical_json, sha256_hex
from questionnaires.frameworks.schema import Framework, error_location

BUNDLED_DIR = Path(__file__).resolve().parent
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class FrameworkError(Exception):
    """A framework file that cannot be published; the message says where and why."""


def bundled_files() -> list[Path]:
    return sorted(BUNDLED_DIR.glob("*.yaml"))


def parse(path: Path) -> tuple[Framework, dict, str]:
    """Validate one file; return the framework, its plain data and its content hash."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: cannot be read ({exc})") from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise FrameworkError(f"{path}: the top level must be a mapping of framework fields")
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {error_location(err['loc'], data) or 'framework'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise FrameworkError("\n".join(problems)) from None
    plain, digest = content_of(framework)
    return framework, plain, digest


def content_of(framework: Framework) -> tuple[dict, str]:
    """The stored form and the SHA-256 of its canonical JSON (RFC 8785), which anyone can
    recompute from the definition. Fields left at their defaults are left out, so a newer
    schema that adds optional fields does not change what an older version's hash covers."""
    plain = framework.model_dump(mode="json", exclude_defaults=True)
    return plain, sha256_hex(canonical_json(plain))


def publish(path: Path) -> tuple[FrameworkVersion, bool]:
    """Store a validated file as a FrameworkVersion; return it and whether it is new."""
    framework, plain, digest = parse(path)
    existing = FrameworkVersion.objects.filter(
        slug=framework.slug, version=framework.version
    ).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise FrameworkError(
                f"{path}: {framework.slug} v{framework.version} is already published with other "
                "content. A published version never changes: give this file a new version."
            )
        return existing, False
    version = FrameworkVersion.objects.create(
        slug=framework.slug,
        version=framework.version,
        title=framework.title,
        definition=plain,
        sha256=digest,
        published_on=framework.published,
    )
    return version, True
