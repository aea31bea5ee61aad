"""The lifecycle of an assessment, as data: the one place that says which transition may
start from which state, where it leads, who may perform it, what it requires, what it writes
on the audit trail and whom it tells.

    draft ──submit──▶ awaiting_signature ──sign──▶ submitted ──start_review──▶ in_review
    awaiting_signature ──return_to_draft──▶ draft
    submitted | in_review ──request_changes──▶ changes_requested ──submit──▶ awaiting_signature
    submitted | in_review ──approve──▶ approved   (once every critical claim and the evidence
                                                  behind it carry a verdict; see approval.py)
    submitted | in_review ──reject──▶ rejected

workflow.py executes it and enforces it whoever calls (role, note, step-up proof); views and
the API ask `available()` what a caller may do now; the tests of every transition x role x
state are generated from it.
"""

from dataclasses import dataclass
from enum import StrEnum

from accounts.permissions import Need, can
from assessments.models import AuditAction, Status


class Transition(StrEnum):
    SUBMIT = "submit"
    RETURN_TO_DRAFT = "return_to_draft"
    SIGN = "sign"
    START_REVIEW = "start_review"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    REJECT = "reject"


class Requirement(StrEnum):
    NOTE = "note"  # a reason or rationale, shown to the people told
    PASSWORD = "password"  # noqa: S105 - re-entered at the moment of acting, not a secret
    SECOND_FACTOR = "second_factor"  # a code, when the person has an authenticator
    VERDICTS = "verdicts"  # a reviewer's verdict on every critical claim and its evidence
    # A second reviewer agrees, when the verified figure is high risk or evidence was rejected.
    SECOND_REVIEWER = "second_reviewer"


class Audience(StrEnum):
    """Who is told, after commit, that the transition happened."""

    SIGNATORIES = "signatories"
    PREPARERS = "preparers"
    REVIEWERS = "reviewers"  # the assigned reviewer, or every reviewer when none is
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class Rule:
    transition: Transition
    sources: frozenset[Status]
    target: Status
    performer: Need  # the permission the acting person needs on the organization
    audit: AuditAction
    label: str  # what the button says
    requires: frozenset[Requirement] = frozenset()
    notifies: Audience | None = None


LIFECYCLE: dict[Transition, Rule] = {
    rule.transition: rule
    for rule in (
        Rule(
            Transition.SUBMIT,
            frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
            Status.AWAITING_SIGNATURE,
            Need.EDIT,
            AuditAction.SUBMITTED_FOR_SIGNATURE,
            "Check and submit",
            notifies=Audience.SIGNATORIES,
        ),
        Rule(
            Transition.RETURN_TO_DRAFT,
            frozenset({Status.AWAITING_SIGNATURE}),
            Status.DRAFT,
            Need.SIGN,
            AuditAction.RETURNED_TO_DRAFT,
            "Return for changes",
            requires=frozenset({Requirement.NOTE}),
            notifies=Audience.PREPARERS,
        ),
        Rule(
            Transition.SIGN,
            frozenset({Status.AWAITING_SIGNATURE}),
            Status.SUBMITTED,
            Need.SIGN,
            AuditAction.SIGNED,
            "Review and sign",
            requires=frozenset({Requirement.PASSWORD, Requirement.SECOND_FACTOR}),
            notifies=Audience.REVIEWERS,
        ),
        Rule(
            Transition.START_REVIEW,
            frozenset({Status.SUBMITTED}),
            Status.IN_REVIEW,
            Need.REVIEW,
            AuditAction.REVIEW_STARTED,
            "Start review",
        ),
        Rule(
            Transition.REQUEST_CHANGES,
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.CHANGES_REQUESTED,
            Need.REVIEW,
            AuditAction.CHANGES_REQUESTED,
            "Request changes",
            requires=frozenset({Requirement.NOTE}),
            notifies=Audience.ORGANIZATION,
        ),
        Rule(
            Transition.APPROVE,
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.APPROVED,
            Need.REVIEW,
            AuditAction.APPROVED,
            "Approve",
            requires=frozenset(
                {Requirement.NOTE, Requirement.VERDICTS, Requirement.SECOND_REVIEWER}
            ),
            notifies=Audience.ORGANIZATION,
        ),
        Rule(
            Transition.REJECT,
            frozenset({Status.SUBMITTED, Status.IN_REVIEW}),
            Status.REJECTED,
            Need.REVIEW,
            AuditAction.REJECTED,
            "Reject",
            requires=frozenset({Requirement.NOTE}),
            notifies=Audience.ORGANIZATION,
        ),
    )
}


# How each state is coloured wherever it is shown (Bootstrap's contextual names).
STATUS_TONES = {
    Status.DRAFT: "secondary",
    Status.AWAITING_SIGNATURE: "primary",
    Status.SUBMITTED: "primary",
    Status.IN_REVIEW: "primary",
    Status.CHANGES_REQUESTED: "warning",
    Status.APPROVED: "success",
    Status.REJECTED: "danger",
}


# What the link to an open assessment says, by its state, as a person would put it.
OPEN_LINK_LABELS = {
    Status.DRAFT: "Continue the draft",
    Status.AWAITING_SIGNATURE: "Open the assessment awaiting signature",
    Status.SUBMITTED: "See the submitted assessment",
    Status.IN_REVIEW: "See the assessment in review",
    Status.CHANGES_REQUESTED: "Make the changes the reviewer asked for",
}


def allows(transition: Transition, status: Status) -> bool:
    return status in LIFECYCLE[transition].sources


STEP_UP = frozenset({Requirement.PASSWORD, Requirement.SECOND_FACTOR})


def may_perform(user, organization, rule: Rule) -> bool:
    """Whether this caller may perform the rule at all (whatever the state): their role allows
    it, and a rule that needs the password again is done by a person, never through an API
    token (a program has no password to re-enter)."""
    if user is None or not can(user, organization, rule.performer):
        return False
    return not (rule.requires & STEP_UP and getattr(user, "api_scope", None) is not None)


def available(user, assessment) -> list[Rule]:
    """The transitions this caller may perform on this assessment now, in table order."""
    return [
        rule
        for rule in LIFECYCLE.values()
        if assessment.status in rule.sources and may_perform(user, assessment.organization, rule)
    ]


def may(user, assessment, transition: Transition) -> bool:
    return LIFECYCLE[transition] in available(user, assessment)
