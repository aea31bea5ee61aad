import factory

from assessments.models import Membership, Organization, Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    legal_name = factory.Sequence(lambda n: f"Example Learning {n} Ltd")
    website = "https://learning.example"
    contact_email = "contact@learning.example"
    contact_name = "Casey Contact"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PREPARER


def member(organization, role: Role, **user_fields) -> User:
    return MembershipFactory(
        organization=organization, role=role, user=UserFactory(**user_fields)
    ).user
