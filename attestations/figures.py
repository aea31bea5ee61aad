"""An attestation's figures, each named for what it is, as the report, the credential and the
verification page state them: what the organization claimed and what the evidence it gave
would support (both signed, provisional), and what the platform verified claim by claim,
recorded with its approval. Only the verified figure carries a risk tier to the public: the
tier signed in the snapshot is the organization's own, before anyone judged its evidence."""

import json
from dataclasses import dataclass

from assessments.models import Attestation, Decision, Outcome


@dataclass(frozen=True)
class Figures:
    claimed: int | None  # the answers taken at their word
    evidence_given: int | None  # with the evidence given, before anyone judged it
    verified: int | None = None  # from the reviewers' verdicts, once the platform approved
    verified_tier: str = ""

    @property
    def is_verified(self) -> bool:
        return self.verified_tier != ""

    def sentence(self) -> str:
        """The figures in one sentence, the verified one first when there is one."""
        given = (
            f"claimed {_percent(self.claimed)}, with the evidence given "
            f"{_percent(self.evidence_given)}"
        )
        if self.is_verified:
            return (
                f"Verified by the platform: {_percent(self.verified)}, {self.verified_tier} risk "
                f"(the organization {given})."
            )
        return (
            f"Not verified by the platform: the organization {given} (provisional: no risk "
            "tier is stated before the platform's reviewers have judged the claims)."
        )


def _percent(value: int | None) -> str:
    return "n/a" if value is None else f"{value} %"


def figures_of(attestation: Attestation, decision: Decision | None) -> Figures:
    """The figures as they stand with this decision (the latest, as the caller read it): the
    verified ones only with an approval that recorded them."""
    overall = json.loads(attestation.snapshot_json)["overall"]
    signed = Figures(overall.get("claimed_score"), overall["score"])
    if decision is None or decision.outcome != Outcome.APPROVED or not decision.verified_risk_tier:
        return signed
    return Figures(
        signed.claimed,
        signed.evidence_given,
        decision.verified_score,
        decision.verified_risk_tier,
    )
