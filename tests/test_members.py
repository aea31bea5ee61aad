"""Who belongs to an organization: invited by its admins, accepted by the person, never a
platform account; roles change and members leave on the record; an admin always remains."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import organizations
from accounts.actors import Actor
from assessments.errors import NotPermitted, StepUpRequired
from assessments.models import ApiToken, AuditEvent, Invitation, Membership, Role, TokenRole
from integrations import webhooks
from integrations.api_tokens import create_token
from tests.conftest import PortalClient, stepped_up, with_authenticator
from tests.factories import PASSWORD, UserFactory


def invite(client, org, email, role="preparer"):
    return client.post(
        reverse("members", args=[org.pk]),
        {"email": email, "full_name": "Someone", "role": role},
        follow=True,
    )


def invitation_link(email) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email]]
    return re.search(r"http://\S+/", message.body).group(0).replace("http://127.0.0.1:8000", "")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_members_page_says_the_same_for_known_and_unknown_addresses(
    admin_client, org, committed
):
    existing = UserFactory(email="known@example.org")
    with committed():
        known = invite(admin_client, org, existing.email)
        unknown = invite(admin_client, org, "unknown@example.org")
    assert "Invitation sent to known@example.org" in known.text
    assert "Invitation sent to unknown@example.org" in unknown.text
    assert existing.full_name not in known.text  # the account's name is not revealed
    assert not Membership.objects.filter(user=existing).exists()  # no consent yet


def test_an_existing_account_joins_only_when_its_owner_accepts(admin_client, org, committed):
    person = UserFactory(email="known@example.org")
    with committed():
        invite(admin_client, org, person.email, role="signatory")
    link = invitation_link(person.email)
    anonymous = Client()
    assert "Log in to accept" in anonymous.get(link).text
    owner = PortalClient()
    owner.force_login(person)
    assert "Accept and join" in owner.get(link).text
    assert owner.post(link).status_code == 302
    assert Membership.objects.get(user=person, organization=org).role == Role.SIGNATORY
    assert AuditEvent.objects.filter(action="member_joined", actor=person).count() == 1


def test_someone_else_cannot_accept_an_invitation(admin_client, org, committed, outsider):
    with committed():
        invite(admin_client, org, "invitee@example.org")
    link = invitation_link("invitee@example.org")
    other = PortalClient()
    other.force_login(outsider)
    response = other.post(link)
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider, organization=org).exists()


@pytest.mark.parametrize(
    "platform", [{"is_reviewer": True}, {"is_staff": True, "is_superuser": True}]
)
def test_platform_accounts_can_never_become_members(admin_client, org, committed, platform):
    person = with_authenticator(UserFactory(email="platform@portal.example", **platform))
    with committed():
        page = invite(admin_client, org, person.email)
    assert "Invitation sent to platform@portal.example" in page.text  # nothing revealed
    owner = PortalClient()
    owner.force_login(person)
    response = owner.post(invitation_link(person.email))
    assert response.status_code == 403
    assert "Platform accounts cannot join" in response.text
    assert not Membership.objects.filter(user=person).exists()


def test_a_forged_or_expired_link_is_refused(client, db):
    response = client.get(reverse("invitation", args=["forged:token"]))
    assert response.status_code == 404
    assert "not valid, or it has expired" in response.text


def test_inviting_twice_keeps_one_pending_invitation(admin_client, org, committed):
    with committed():
        invite(admin_client, org, "twice@example.org", role="preparer")
        invite(admin_client, org, "Twice@Example.org", role="signatory")
    (invitation,) = Invitation.objects.filter(email="twice@example.org")
    assert invitation.role == Role.SIGNATORY


def test_inviting_one_address_again_and_again_cannot_flood_its_inbox(admin_client, org, committed):
    """Anyone can register an organization, and inviting again sends a fresh link: an
    organization mails one address three invitations an hour, then is told to wait."""
    with committed():
        pages = [invite(admin_client, org, "victim@elsewhere.example") for _ in range(4)]

    assert [p.status_code for p in pages] == [200] * 3 + [429]
    assert int(pages[-1]["Retry-After"]) > 0  # as the API answers the same refusal
    assert [m.to for m in mail.outbox] == [["victim@elsewhere.example"]] * 3
    assert "has been invited 3 times in the last hour: try again later." in pages[-1].text
    assert AuditEvent.objects.filter(action="member_invited").count() == 3


def test_a_member_is_removed_and_their_role_changed_on_the_record(
    admin_client, org, preparer, signatory
):
    membership = preparer.memberships.get()
    admin_client.post(
        reverse("member_role", args=[org.pk, membership.pk]), {f"{membership.pk}-role": "admin"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    removed = signatory.memberships.get()
    admin_client.post(reverse("member_remove", args=[org.pk, removed.pk]))
    assert not Membership.objects.filter(pk=removed.pk).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["member_role_changed", "member_removed"]


def test_the_last_admin_can_neither_leave_nor_step_down(admin_client, org, admin):
    mine = admin.memberships.get()
    removed = admin_client.post(reverse("member_remove", args=[org.pk, mine.pk]), follow=True)
    assert "The last administrator cannot be removed." in removed.text
    demoted = admin_client.post(
        reverse("member_role", args=[org.pk, mine.pk]), {f"{mine.pk}-role": "preparer"}, follow=True
    )
    assert "needs an administrator" in demoted.text
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN


def test_another_organizations_membership_is_not_found(admin_client, org, outsider):
    theirs = outsider.memberships.get()
    response = admin_client.post(reverse("member_remove", args=[org.pk, theirs.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_new_account_from_an_invitation_needs_a_sound_password(client, admin, org, committed):
    from accounts.actors import Actor
    from accounts.organizations import invite_member

    with committed():
        invite_member(
            org, email="new@example.org", full_name="N", role=Role.PREPARER, actor=Actor(admin)
        )
    link = invitation_link("new@example.org")
    weak = client.post(link, {"full_name": "New Person", "password1": "123", "password2": "123"})
    assert weak.status_code == 422
    assert "This password is too short" in weak.text
    ok = client.post(
        link, {"full_name": "New Person", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert ok.status_code == 302


MANAGING = {
    "invite": lambda org, admin, preparer, actor: organizations.invite_member(
        org, email="new@example.org", full_name="New", role=Role.ADMIN, actor=actor
    ),
    "change_role": lambda org, admin, preparer, actor: organizations.change_role(
        preparer.memberships.get(), role=Role.ADMIN, actor=actor
    ),
    "remove": lambda org, admin, preparer, actor: organizations.remove_member(
        admin.memberships.get(), actor=actor
    ),
    "make_token": lambda org, admin, preparer, actor: create_token(
        organization=org,
        name="x",
        role=TokenRole.ADMIN,
        days=5,
        actor=actor,
        proof=stepped_up(actor.user),
    ),
    "add_webhook": lambda org, admin, preparer, actor: webhooks.add_endpoint(
        organization=org, url="https://hooks.example.org/", events=["x"], actor=actor
    ),
}


@pytest.mark.parametrize("who", ["preparer", "signatory", "outsider"])
@pytest.mark.parametrize("act", MANAGING)
def test_member_token_and_webhook_services_refuse_a_role_that_may_not_manage(
    org, admin, preparer, signatory, outsider, who, act
):
    """The services check who acts themselves, whoever calls them (a command, the API, a
    future view): only the organization's administrators manage its people and integrations."""
    person = {"preparer": preparer, "signatory": signatory, "outsider": outsider}[who]

    with pytest.raises(NotPermitted):
        MANAGING[act](org, admin, preparer, Actor(person))

    assert Membership.objects.get(user=admin).role == Role.ADMIN
    assert Membership.objects.get(user=preparer).role == Role.PREPARER
    assert not Invitation.objects.exists()
    assert not ApiToken.objects.exists()


def test_a_token_is_made_only_with_the_makers_password_entered_just_now(org, admin):
    with pytest.raises(StepUpRequired):
        create_token(
            organization=org, name="x", role=TokenRole.ADMIN, days=5, actor=Actor(admin), proof=None
        )
    assert not ApiToken.objects.exists()


def test_a_pending_invitation_is_sent_again_or_cancelled_and_its_link_then_fails(
    admin_client, org, committed
):
    with committed():
        invite(admin_client, org, "late@example.org", role="signatory")
    page = admin_client.get(reverse("members", args=[org.pk]))
    invitation = Invitation.objects.get(email="late@example.org")
    assert 'Send again<span class="visually-hidden"> to late@example.org' in page.text
    with committed():
        again = admin_client.post(
            reverse("members", args=[org.pk]),
            {"email": "late@example.org", "full_name": "Someone", "role": "signatory"},
            follow=True,
        )
    assert "Invitation sent to late@example.org" in again.text
    assert len([m for m in mail.outbox if m.to == ["late@example.org"]]) == 2
    link = re.findall(r"http://\S+/", mail.outbox[-1].body)[0].replace("http://127.0.0.1:8000", "")

    cancelled = admin_client.post(
        reverse("invitation_cancel", args=[org.pk, invitation.pk]), follow=True
    )

    assert "The invitation to late@example.org was cancelled." in cancelled.text
    assert not Invitation.objects.filter(email="late@example.org").exists()
    assert AuditEvent.objects.filter(action="member_invitation_cancelled").count() == 1
    assert "Log in to accept" not in Client().get(link).text  # the link no longer works


def test_removing_a_member_is_confirmed_and_warns_what_it_leaves_undone(admin_client, org, admin):
    signatory = Membership.objects.create(
        organization=org, user=UserFactory(full_name="Sam Signatory"), role=Role.SIGNATORY
    )
    page = admin_client.get(reverse("members", args=[org.pk])).text
    confirm = page[page.index(f"members/{signatory.pk}/remove/") :]
    confirm = confirm[: confirm.index("</form>")]

    assert "<details" in page and "Yes, remove Sam Signatory" in confirm
    assert "the only signatory: nobody can sign until you appoint another" in confirm
