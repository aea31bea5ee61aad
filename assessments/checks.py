"""Deployment checks of our own, run by `manage.py check --deploy`."""

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
