"""Organizations, people and complete drafts for the scale-out run (bench/scale_out.py).

Each organization has a preparer and a signatory and one draft answered in full, ready to
submit; reviewers are platform accounts. Signatories and reviewers have a second factor
(recovery codes, one per log-in or signature), as production requires of them.

    python bench/scale_accounts.py ORGANIZATIONS REVIEWERS OUT.json
"""

import json
import secrets
import sys
from pathlib import Path

import django

django.setup()

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.actors import Actor
from assessments import workflow
from assessments.demo import answer_everything
from assessments.models import FrameworkVersion, Membership, Organization, Role, User

PASSWORD = "scale-out-" + secrets.token_urlsafe(12)
CODES = 40


def person(email: str, name: str, *, second_factor: bool, **extra) -> dict:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=name, **extra)
    codes = []
    if second_factor:
        device = StaticDevice.objects.create(user=user, name="recovery codes")
        codes = [StaticToken.random_token() for _ in range(CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return {"email": email, "codes": codes, "user": user}


def main(organizations: int, reviewers: int, out: Path):
    version = FrameworkVersion.current("minor-safety")
    teams = []
    for i in range(organizations):
        with transaction.atomic():
            org = Organization.objects.create(
                legal_name=f"Scale Org {i:03d} Ltd",
                website="https://scale.example",
                contact_email=f"admin{i}@scale.example",
                contact_name="Admin",
            )
            preparer = person(f"preparer{i}@scale.example", "Preparer", second_factor=False)
            signatory = person(f"signatory{i}@scale.example", "Signatory", second_factor=True)
            Membership.objects.create(organization=org, user=preparer["user"], role=Role.PREPARER)
            Membership.objects.create(organization=org, user=signatory["user"], role=Role.SIGNATORY)
        draft = workflow.start_assessment(
            organization=org, framework_version=version, actor=Actor(preparer["user"])
        )
        answer_everything(draft, actor=Actor(preparer["user"]), quality="strong")
        teams.append(
            {
                "assessment": str(draft.pk),
                "preparer": preparer["email"],
                "signatory": signatory["email"],
                "signatory_codes": signatory["codes"],
            }
        )
    staff = [
        person(f"reviewer{i}@scale.example", "Reviewer", second_factor=True, is_reviewer=True)
        for i in range(reviewers)
    ]
    out.write_text(
        json.dumps(
            {
                "password": PASSWORD,
                "teams": teams,
                "reviewers": [{"email": r["email"], "codes": r["codes"]} for r in staff],
            }
        )
    )
    print(f"{organizations} organizations with a complete draft, {reviewers} reviewers")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
