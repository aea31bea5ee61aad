"""Products are what is assessed and attested; a public trust page, seal and directory say
what the platform decided about each, as a parent or a school would read them."""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.actors import Actor
from assessments import workflow
from assessments.models import Assessment, AuditAction, AuditEvent, Product, Status


def _register(client, org, **fields):
    data = {"name": "Brightpath Teen Chat", "addresses": "https://chat.brightpath.example"}
    return client.post(reverse("product_register", args=[org.pk]), data | fields)


def test_each_product_of_an_organization_is_assessed_on_its_own(client, org, admin, draft):
    client.force_login(admin)

    registered = _register(client, org, platforms=["web", "ios"])
    teen_chat = Product.objects.get(name="Brightpath Teen Chat")
    started = client.post(reverse("start_assessment", args=[org.pk]), {"product": teen_chat.pk})
    again = client.post(
        reverse("start_assessment", args=[org.pk]), {"product": teen_chat.pk}, follow=True
    )

    assert registered.status_code == 302 and teen_chat.platforms == ["web", "ios"]
    assert started.status_code == 302
    open_ones = Assessment.objects.exclude(status__in=[Status.APPROVED, Status.REJECTED])
    assert sorted(a.product.name for a in open_ones) == sorted(
        [draft.product.name, "Brightpath Teen Chat"]
    )
    assert "An assessment of Brightpath Teen Chat on this questionnaire is already open" in (
        again.text
    )
    page = client.get(reverse("organization", args=[org.pk])).text
    assert "Brightpath Teen Chat" in page and draft.product.name in page
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCT_REGISTERED).count() == 1


def test_only_administrators_register_products_and_names_are_not_repeated(
    client, org, admin, preparer
):
    client.force_login(preparer)
    refused = _register(client, org)
    client.force_login(admin)
    first = _register(client, org)
    twice = _register(client, org, name="brightpath teen chat")
    bad_address = _register(client, org, name="Other", addresses="not an address")

    assert refused.status_code == 403
    assert first.status_code == 302
    assert twice.status_code == 422
    assert "already has a product named brightpath teen chat" in twice.text
    assert bad_address.status_code == 422 and "Enter a valid URL" in bad_address.text
    assert Product.objects.filter(name__iexact="brightpath teen chat").count() == 1


def test_a_product_of_another_organization_cannot_be_assessed(
    client, org, admin, other_org, framework_version
):
    from assessments.products import default_product

    theirs = default_product(other_org)
    client.force_login(admin)

    response = client.post(reverse("start_assessment", args=[org.pk]), {"product": theirs.pk})

    assert response.status_code == 404
    assert not Assessment.objects.filter(product=theirs).exists()


def test_what_was_signed_names_the_product(client, approved):
    from minor_safety_verifier import check_credential  # noqa: F401 - the same claims

    from attestations.credentials import issue

    snapshot = json.loads(approved.snapshot_json)
    subject = json.loads(
        __import__("base64").urlsafe_b64decode(issue(approved).split(".")[1] + "==")
    )["credentialSubject"]
    page = client.get(reverse("verify_hash", args=[approved.snapshot_sha256])).text

    assert snapshot["product"]["name"] == approved.assessment.product.name
    assert subject["product"]["name"] == approved.assessment.product.name
    assert f'Product</dt><dd class="col-sm-9">{approved.assessment.product.name}' in page


def _publish(client, admin, product):
    client.force_login(admin)
    response = client.post(
        reverse("product_public", args=[product.organization_id, product.pk]), {"public": "on"}
    )
    client.logout()
    return response


def test_the_trust_page_and_seal_say_attested_only_while_it_is_valid(
    client, approved, admin, reviewer
):
    product = approved.assessment.product
    assert client.get(reverse("trust_page", args=[product.pk])).status_code == 404  # opt-in
    assert _publish(client, admin, product).status_code == 302

    page = client.get(reverse("trust_page", args=[product.pk]))
    seal = client.get(reverse("trust_seal", args=[product.pk]))
    cached = client.get(reverse("trust_seal", args=[product.pk]), HTTP_IF_NONE_MATCH=seal["ETag"])
    listed = client.get(reverse("trust_directory"))
    workflow.revoke(approved, actor=Actor(reviewer), reason="Filters switched off.")
    page_after = client.get(reverse("trust_page", args=[product.pk]))
    seal_after = client.get(
        reverse("trust_seal", args=[product.pk]), HTTP_IF_NONE_MATCH=seal["ETag"]
    )
    listed_after = client.get(reverse("trust_directory"))

    assert page.status_code == 200 and "Attested: the platform approved it on" in page.text
    assert seal["Content-Type"] == "image/svg+xml" and "no-cache" in seal["Cache-Control"]
    assert "<title>Minor-safety attested: Brightpath Learning Ltd" in seal.text
    assert cached.status_code == 304
    assert product.name in listed.text
    assert "Not attested now" in page_after.text and "Revoked" in page_after.text
    assert seal_after.status_code == 200 and seal_after["ETag"] != seal["ETag"]
    assert "Not attested now" in seal_after.text and "attested:" not in seal_after.text.lower()
    assert f'href="{reverse("trust_page", args=[product.pk])}"' not in listed_after.text


def test_the_embed_snippet_pastes_as_the_markup_shown_whatever_the_name_or_host(
    client, approved, admin, settings
):
    """Organizations copy the snippet from the box onto other sites. What they copy (the
    box's text, as a browser shows it) must be the markup itself: the product's name whole in
    the image's text, never a way to add attributes to the page it is pasted in, and the
    portal's own address (SITE_URL), not whichever host name the request used."""
    product = approved.assessment.product
    product.name = 'Tutor" onerror="alert(1) & <Co>'
    product.save(update_fields=["name"])
    _publish(client, admin, product)
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]

    page = client.get(reverse("trust_page", args=[product.pk]), HTTP_HOST="internal.example")

    assert page.status_code == 200
    box = re.search(r'<textarea[^>]*id="snippet"[^>]*>(.*?)</textarea>', page.text, re.S)
    pasted = PastedTags()
    pasted.feed(html.unescape(box.group(1)))  # the box's text, then read as markup elsewhere
    (link, image) = pasted.tags
    assert link == ("a", {"href": settings.SITE_URL + reverse("trust_page", args=[product.pk])})
    assert image[0] == "img" and set(image[1]) == {"src", "width", "height", "alt"}
    assert image[1]["src"] == settings.SITE_URL + reverse("trust_seal", args=[product.pk])
    assert 'Tutor" onerror="alert(1) & <Co>' in image[1]["alt"]
    assert "internal.example" not in page.text


class PastedTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_seal_never_says_attested_before_the_platform_approved(client, attestation, admin):
    product = attestation.assessment.product
    _publish(client, admin, product)

    seal = client.get(reverse("trust_seal", args=[product.pk]))
    page = client.get(reverse("trust_page", args=[product.pk]))

    assert "Not attested now" in seal.text and "Minor-safety attested" not in seal.text
    assert "Not attested now" in page.text and "awaiting" in page.text.lower()
    assert product.name not in client.get(reverse("trust_directory")).text


def test_the_directory_searches_listed_products_by_name_and_law(client, approved, admin):
    product = approved.assessment.product
    _publish(client, admin, product)
    url = reverse("trust_directory")

    assert product.name in client.get(url, {"q": "brightpath"}).text
    assert product.name not in client.get(url, {"q": "elsewhere"}).text
    assert "No listed product matches this search" in client.get(url, {"q": "elsewhere"}).text
    assert product.name in client.get(url, {"law": "US COPPA Rule (as amended in 2025)"}).text
    unknown = client.get(url, {"law": "No such law"})
    assert unknown.status_code == 200 and product.name not in unknown.text
    assert "No such law is not one of the available choices" in unknown.text
    too_long = client.get(url, {"q": "x" * 500})
    assert too_long.status_code == 200 and "at most 100 characters" in too_long.text


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_assessments_become_those_of_one_product_named_after_their_organization(
    framework_version,
):
    """The migration on data made before products: nothing lost, every attestation kept."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("assessments", "0027_audit_event_mac")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organization = old.get_model("assessments", "Organization").objects.create(
        legal_name="Oldtown Academy",
        website="https://oldtown.example",
        contact_email="a@oldtown.example",
        contact_name="A",
    )
    user = old.get_model("assessments", "User").objects.create(email="p@oldtown.example")
    version = old.get_model("assessments", "FrameworkVersion").objects.get(pk=framework_version.pk)
    for status in ("approved", "draft"):
        old.get_model("assessments", "Assessment").objects.create(
            organization=organization,
            framework_version=version,
            framework_slug=version.slug,
            created_by=user,
            status=status,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    product = Product.objects.get(organization_id=organization.pk)
    assert product.name == "Oldtown Academy" and product.addresses == ["https://oldtown.example"]
    assert Assessment.objects.filter(organization_id=organization.pk, product=product).count() == 2


def test_programs_see_and_choose_the_product(client, org, admin, draft, framework_version):
    from tests.test_api import call, token

    key = token(org, admin)
    client.force_login(admin)
    _register(client, org)
    client.logout()
    chat = Product.objects.get(name="Brightpath Teen Chat")

    seen = call(client, "get", reverse("api_assessment", args=[draft.pk]), key)
    started = call(
        client,
        "post",
        reverse("api_assessments"),
        key,
        {"questionnaire": "minor-safety", "product": str(chat.pk)},
    )

    assert seen.json()["product"] == {"id": str(draft.product_id), "name": draft.product.name}
    assert started.status_code == 201 and started.json()["product"]["name"] == chat.name


def test_oscal_names_the_product_as_the_assessed_component(approved):
    from integrations.oscal import assessment_results

    (result,) = assessment_results(approved)["assessment-results"]["results"]
    (component,) = result["local-definitions"]["components"]
    assert component["title"] == approved.assessment.product.name


def test_a_policy_covering_every_product_backs_each_products_answers(
    client, org, admin, preparer, draft, framework_version
):
    from assessments.models import Evidence
    from tests.test_answers import section_url, upload

    client.force_login(admin)
    _register(client, org)
    chat = Product.objects.get(name="Brightpath Teen Chat")
    chat_draft = workflow.start_assessment(
        organization=org, framework_version=framework_version, actor=Actor(preparer), product=chat
    )
    client.force_login(preparer)
    upload(client, draft, b"%PDF-1.4 our group safety policy", "group-policy.pdf")
    original = Evidence.objects.get()

    page = client.get(section_url(chat_draft, "moderation"))
    client.post(
        section_url(chat_draft, "moderation"),
        {"evreuse_moderation__evidence": [str(original.pk)], "stay": "1"},
    )

    offered = f"group-policy.pdf (for age.evidence of {draft.product.name})"
    assert offered in page.text
    reused = Evidence.objects.get(assessment=chat_draft)
    assert reused.file.name == original.file.name and reused.question_id == "moderation.evidence"
    event = AuditEvent.objects.filter(action=AuditAction.EVIDENCE_UPLOADED).last()
    assert event.assessment_id == chat_draft.pk
    assert event.details["from_assessment"] == str(draft.pk)
