"""One meaning of "in force": the queryset that reminders, metrics, public-claim checks and
campaigns ask agrees with what the verification page says (status_of) for any history of
signatures, decisions, revocations and expiries, at any moment."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment, Attestation, Decision, Outcome, Status
from assessments.products import default_product
from attestations.attestation_status import status_of

START = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)

A_DECISION = st.tuples(st.sampled_from(list(Outcome)), st.integers(0, 60))  # outcome, day
AN_ATTESTATION = st.fixed_dictionaries(
    {
        "signed": st.integers(0, 40),
        "lasts": st.integers(1, 90),
        "revoked": st.none() | st.integers(0, 120),
        "decisions": st.lists(A_DECISION, max_size=3),
    }
)


def test_in_force_is_what_status_of_calls_valid(db, org, framework_version, reviewer):
    signer = reviewer  # any account: who signed does not change the status

    @given(
        history=st.lists(AN_ATTESTATION, min_size=1, max_size=4),
        moments=st.lists(st.integers(0, 130), min_size=1, max_size=4),
    )
    def check(history, moments):
        Decision.objects.all().delete()
        Attestation.objects.all().delete()
        Assessment.objects.all().delete()
        made = []
        for number, spec in enumerate(history, start=1):
            assessment = Assessment.objects.create(
                organization=org,
                product=default_product(org),
                framework_version=framework_version,
                framework_slug=framework_version.slug,
                created_by=signer,
                status=Status.SUBMITTED if number == len(history) else Status.APPROVED,
            )
            signed_at = START + spec["signed"] * DAY + number * timedelta(seconds=1)
            attestation = Attestation.objects.create(
                assessment=assessment,
                number=number,
                organization=org,
                framework_slug=framework_version.slug,
                snapshot_json="{}",
                snapshot_sha256=f"{number:064x}",
                statement_version="1",
                signed_by=signer,
                signed_at=signed_at,
                expires_at=signed_at + spec["lasts"] * DAY,
                revoked_at=None if spec["revoked"] is None else START + spec["revoked"] * DAY,
                revocation_reason="Because.",
            )
            for outcome, day in spec["decisions"]:
                Decision.objects.create(
                    attestation=attestation,
                    reviewer=reviewer,
                    outcome=outcome,
                    rationale="Decided.",
                    decided_at=signed_at + day * DAY,
                )
            made.append(attestation)
        for day in moments:
            at = START + day * DAY + timedelta(hours=12)
            in_force = set(Attestation.objects.in_force(at).values_list("pk", flat=True))
            valid = {a.pk for a in made if status_of(a, at=at).is_valid}
            assert in_force == valid, (at, [(a.number, status_of(a, at=at).status) for a in made])

    check()
