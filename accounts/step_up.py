"""Step-up: a person proves again who they are before an act others rely on (signing an
attestation, replacing their second factor).

The password goes through authenticate(), so a wrong guess here counts toward the same
lockout as the log-in form; a person who has an authenticator must give a code from it too,
because a password alone is not step-up.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import authenticate
from django.core import signing
from django_otp import match_token, user_has_device

from assessments.errors import StepUpRequired
from assessments.lifecycle import Requirement

LOCKED_OUT = "Too many failed attempts: wait a few minutes and try again."
_SALT = "assessments.step_up.proof"
PROOF_SECONDS = 10 * 60  # long enough to read what one signs, short enough to mean "just now"
FACTORS = frozenset({Requirement.PASSWORD, Requirement.SECOND_FACTOR})


@dataclass(frozen=True)
class Proof:
    """That a person re-entered their password (and code) moments ago. Signed with the site's
    key when the check passes, so a caller that skipped the check cannot make one up; the
    service that needs it checks it itself (`require`)."""

    token: str


def _proof(user, factors: set[Requirement]) -> Proof:
    return Proof(signing.dumps({"user": user.pk, "factors": sorted(factors)}, salt=_SALT))


def needed(user, requirements) -> set[Requirement]:
    """The factors this person must give: the password, and a code when they have an
    authenticator (a person without one cannot give a code)."""
    factors = set(requirements) & FACTORS
    if not user_has_device(user):
        factors.discard(Requirement.SECOND_FACTOR)
    return factors


def require(proof: Proof | None, user, requirements) -> None:
    """Refuse unless `proof` shows this person gave every factor asked of them, just now."""
    factors = needed(user, requirements)
    if not factors:
        return
    message = "This needs your password{} entered just now.".format(
        " and a code from your authenticator" if Requirement.SECOND_FACTOR in factors else ""
    )
    if proof is None:
        raise StepUpRequired(message)
    try:
        given = signing.loads(proof.token, salt=_SALT, max_age=PROOF_SECONDS)
    except signing.BadSignature:
        raise StepUpRequired(message) from None
    if given["user"] != user.pk or not factors <= set(given["factors"]):
        raise StepUpRequired(message)


class StepUpForm(forms.Form):
    """The password and, when the person has one, a second-factor code."""

    ask_for_code = True  # a subclass that itself proves a new device may turn this off
    proof: Proof | None = None  # set once the password (and code) are checked

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        if self.ask_for_code and user_has_device(self.user):
            self.fields["code"] = forms.CharField(
                label="Code from your authenticator app (or a recovery code)",
                max_length=16,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
            )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        asked = self.ask_for_code and "code" in self.fields
        try:
            self.proof = prove(
                self.request,
                self.user,
                password=password,
                code=(cleaned.get("code") or "") if asked else "",
            )
        except Refused as refusal:
            self.add_error(refusal.field, refusal.message)
        return cleaned


class Refused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def prove(request, user, *, password: str, code: str = "") -> Proof:
    """Check the password (for a web request through authenticate(), so a wrong one counts
    toward the log-in lockout; a command on the server, with no request, checks it directly)
    and the code, when one is given; the proof names the factors that passed."""
    if request is None:
        person = user if user.is_active and user.check_password(password) else None
    else:
        person = authenticate(request, username=user.email, password=password)
    if person is None or person.pk != user.pk:
        locked = getattr(request, "axes_locked_out", False)
        raise Refused("password", LOCKED_OUT if locked else "That password is not correct.")
    given = {Requirement.PASSWORD}
    if code.strip():
        if match_token(user, code.strip()) is None:
            raise Refused("code", "That code is not right. Use a fresh code from your app.")
        given.add(Requirement.SECOND_FACTOR)
    return _proof(user, given)
