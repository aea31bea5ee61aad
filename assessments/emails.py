"""Outgoing email: plain text and HTML from templates, always sent after commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import Assessment, Membership, User

log = logging.getLogger(__name__)


def _send(template: str, context: dict, recipients: list[str]) -> None:
    """Build and send one email. It runs after commit: the change it reports stands whatever
    happens here, so any failure (a template, a header, the mail server) is logged, never
    raised to the person whose action is already saved."""
    if not recipients:
        return
    try:
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
        message = EmailMultiAlternatives(subject, text, to=recipients)
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        log.exception("Could not send the %r email to %d recipient(s)", template, len(recipients))


def _assessment_url(assessment: Assessment) -> str:
    return settings.SITE_URL + reverse("assessment", args=[assessment.pk])


def send_invitation(invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("invitation", args=[token])
    _send("invitation", {"invitation": invitation, "link": link}, [invitation.email])


def send_registration_link(email: str, full_name: str, token: str) -> None:
    link = settings.SITE_URL + reverse("signup_confirm", args=[token])
    _send("registration", {"full_name": full_name, "link": link, "known": False}, [email])


def send_already_registered(email: str) -> None:
    links = {
        "login": settings.SITE_URL + reverse("login"),
        "reset": settings.SITE_URL + reverse("password_reset"),
    }
    _send("registration", {"known": True, **links}, [email])


def organization_recipients(assessment: Assessment) -> list[str]:
    return list(
        Membership.objects.filter(organization=assessment.organization_id, user__is_active=True)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )


def reviewer_recipients() -> list[str]:
    return list(
        User.objects.filter(is_reviewer=True, is_active=True)
        .values_list("email", flat=True)
        .order_by("email")
    )


def send_status_change(
    assessment: Assessment, *, event: str, message: str = "", expires_at=None
) -> None:
    """Tell the right people: reviewers of a submission, the organization of a decision."""
    recipients = (
        reviewer_recipients() if event == "submitted" else organization_recipients(assessment)
    )
    url = (
        settings.SITE_URL + reverse("review_assessment", args=[assessment.pk])
        if event == "submitted"
        else _assessment_url(assessment)
    )
    _send(
        "status_change",
        {
            "assessment": assessment,
            "event": event,
            "message": message,
            "url": url,
            "expires_at": expires_at,
        },
        recipients,
    )
