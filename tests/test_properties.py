"""Property-based: whatever people or files throw at the portal, it stores a value or gives a
clear message. It never answers with a server error."""

from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.frameworks.loader import FrameworkError, bundled_files, parse

ANY_TEXT = st.text(max_size=300)
FORM_VALUES = st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3))
FIXTURES = settings(  # examples: the profile's (tests/conftest.py, --long for many more)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECTION_FIELDS = [
    "q_age__method",
    "q_age__out_of_range",
    "q_age__signals",
    "rev_age__method",
    "na_education__adults",
    "why_education__adults",
    "q_education__link",
    "q_scope__monthly_minors",
    "q_scope__age_bands",
    "evurl_age__evidence",
]


@FIXTURES
@given(data=st.dictionaries(st.sampled_from(SECTION_FIELDS), FORM_VALUES, max_size=6))
def test_any_questionnaire_post_is_saved_or_explained(client, draft, preparer, data):
    client.force_login(preparer)
    for section in ("age_assurance", "education", "scope"):
        url = reverse("section", args=[draft.pk, section])
        response = client.post(url, data)
        if response.status_code == 302:  # saved: back to the section, as a person expects
            assert response["Location"] == url
        else:  # refused whole, or kept beside a newer answer: said on the page
            assert response.status_code in (409, 422), response.status_code
            assert "Nothing was saved" in response.text or "while you were editing" in response.text


@FIXTURES
@given(
    data=st.dictionaries(
        st.sampled_from(["legal_name", "website", "full_name", "email", "password1", "password2"]),
        ANY_TEXT,
    )
)
def test_any_signup_post_is_saved_or_explained(client, db, data):
    cache.clear()  # one person posting, not a flood: the rate limit is tested on its own
    response = client.post(reverse("signup"), data)
    if response.status_code == 200:  # accepted: a link is on its way
        assert "Check your email" in response.text
    else:  # refused, each field saying what it needs
        assert response.status_code == 422, response.status_code
        assert response.context["form"].errors
    client.logout()


@FIXTURES
@given(reference=ANY_TEXT)
def test_any_verification_reference_gets_a_verdict(client, db, reference):
    cache.clear()  # one person posting, not a flood: the rate limit is tested on its own
    response = client.post(reverse("verify"), {"reference": reference})
    if response.status_code == 200:  # a verdict, whatever the reference names
        assert response.context["verification"] is not None
    else:  # not a reference at all (empty, several lines): the form says so
        assert response.status_code == 422, response.status_code
        assert response.context["form"].errors


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
BUNDLED = yaml.safe_load(bundled_files()[0].read_text())


@given(
    section=st.integers(0, len(BUNDLED["sections"]) - 1),
    question=st.integers(0, 5),
    key=st.sampled_from(
        ["id", "text", "type", "options", "show_if", "required_if", "weight", "citations", "x"]
    ),
    value=JSONISH,
)
def test_any_broken_framework_file_is_rejected_with_a_message(
    tmp_path_factory, section, question, key, value
):
    data = yaml.safe_load(yaml.safe_dump(BUNDLED))
    questions = data["sections"][section]["questions"]
    questions[question % len(questions)][key] = value
    path: Path = tmp_path_factory.mktemp("fw") / "fuzzed.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        parse(path)
    except FrameworkError as error:
        assert "fuzzed.yaml" in str(error)


@pytest.mark.parametrize("text", ["", "- just a list", "{broken", "\x00\x01"])
def test_files_that_are_not_frameworks_at_all(tmp_path, text):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    with pytest.raises(FrameworkError):
        parse(path)


# Every other form, posted by the person allowed to use it, with fields in any state.
FORMS = {
    "members": ("admin", "org", ["email", "full_name", "role"]),
    "start_assessment": ("preparer", "org", ["carry_over_from"]),
    "sign": ("signatory", "assessment", ["confirm", "password", "code"]),
    "return_to_draft": ("signatory", "assessment", ["reason"]),
    "decide": ("reviewer", "assessment", ["outcome", "rationale"]),
    "request_changes": ("reviewer", "assessment", ["message", "questions"]),
    "assign": ("reviewer", "assessment", ["reviewer"]),
    "add_comment": ("preparer", "assessment", ["body", "question_id", "next"]),
    "revoke_attestation": ("reviewer", "attestation", ["reason"]),
    "two_factor_verify": ("preparer", "", ["token", "next"]),
    "two_factor_setup": ("preparer", "", ["password", "token", "next"]),
    "login": ("", "", ["username", "password"]),
    "password_reset": ("", "", ["email"]),
    "password_change": ("preparer", "", ["old_password", "new_password1", "new_password2"]),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_any_input_to_any_form_is_handled(name, client, signed, admin, preparer, reviewer):
    role, target, fields = FORMS[name]
    people = {"admin": admin, "preparer": preparer, "reviewer": reviewer, "signatory": None}
    people["signatory"] = signed.signed_by
    args = {
        "": [],
        "org": [signed.assessment.organization_id],
        "assessment": [signed.assessment_id],
        "attestation": [signed.pk],
    }[target]
    if role:
        client.force_login(people[role])

    @FIXTURES
    @given(data=st.dictionaries(st.sampled_from(fields), FORM_VALUES, max_size=len(fields)))
    def post_anything(data):
        response = client.post(reverse(name, args=args), data)
        assert response.status_code < 500

    post_anything()
