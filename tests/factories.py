"""Factories for test data. Reference lists (boroughs, languages…) come from the migrations."""

import factory
from django.contrib.auth import get_user_model

from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import Membership, Organization, Partnership, PartnershipKind, Site

PASSWORD = "correct-horse-battery-staple"


def borough(code: str = "lasalle") -> Borough:
    return Borough.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.org")
    email = factory.SelfAttribute("username")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisme {n}")
    kind = OrganizationKind.COMMUNITY_ORGANIZATION
    borough = factory.LazyFunction(lambda: borough("lasalle"))
    mission = "Accueillir et accompagner les personnes nouvellement arrivées."


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Point de service {n}")
    kind = Site.Kind.POINT_OF_SERVICE
    borough = factory.LazyFunction(lambda: borough("lasalle"))
    street_address = factory.Sequence(lambda n: f"{100 + n} rue Principale")
    postal_code = "H8N 1A1"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.INTAKE_WORKER


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    organization = factory.SubFactory(OrganizationFactory)
    partner = factory.SubFactory(OrganizationFactory)
    kinds = factory.LazyFunction(lambda: [PartnershipKind.REFERENCE])


def member(
    organization: Organization, role: str = Role.INTAKE_WORKER, **user_fields
) -> "get_user_model()":
    """A user holding `role` in `organization`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def sign_in(client, user) -> None:
    """Sign a Django test client in as `user`, both steps (password and second factor), without
    the forms; tests/core/test_second_factor.py goes through them."""
    from ancrage.core.second_factor import force_sign_in

    force_sign_in(client, user)


# --- Activities -------------------------------------------------------------------------------


def _activity_type(code: str = "coffee-and-chat"):
    from ancrage.activities.models import ActivityType

    return ActivityType.objects.get(code=code)


def _two_days_ago_at_six_pm():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0) - timedelta(
        days=2
    )


def _two_hours_after(start):
    from datetime import timedelta

    return start + timedelta(hours=2)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Activity"

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: {"fr": f"Café-jasette {n}", "en": f"Coffee and Chat {n}"})
    activity_type = factory.LazyFunction(_activity_type)
    category = "mixed"
    venue_kind = "library"
    borough = factory.LazyFunction(lambda: borough("lasalle"))
    format = "drop_in"


class SessionFactory(factory.django.DjangoModelFactory):
    """A past session by default (two days ago, 18:00–20:00 Montréal time)."""

    class Meta:
        model = "activities.Session"

    activity = factory.SubFactory(ActivityFactory)
    starts_at = factory.LazyFunction(_two_days_ago_at_six_pm)
    ends_at = factory.LazyAttribute(lambda o: _two_hours_after(o.starts_at))


# --- Directory --------------------------------------------------------------------------------


def published_service(organization: Organization | None = None, **content) -> "Service":  # noqa: F821
    """A published service with sensible content; `content` overrides keys of the content dict
    (see `ancrage.directory.content`), e.g. needs=["housing"], languages=["fr", "ar"]."""
    from ancrage.directory.content import apply_content
    from ancrage.directory.models import Service

    organization = organization or OrganizationFactory()
    site = organization.sites.first() or SiteFactory(organization=organization)
    base = {
        "names": {"fr": "Aide à la recherche de logement", "en": "Help finding housing"},
        "descriptions": {
            "fr": "Nous aidons les personnes nouvellement arrivées à trouver un logement.",
            "en": "We help newcomers find an apartment.",
        },
        "eligibility_descriptions": {"fr": "Personnes immigrantes", "en": "Immigrants"},
        "status": "active",
        "is_free": True,
        "audiences": ["newcomers"],
        "languages": ["fr", "en"],
        "needs": ["housing"],
        "locations": [{"site": str(site.hsds_id)}],
        "schedules": [
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}
        ],
        "contacts": [{"name": "Accueil", "email": "accueil@example.org"}],
    }
    base.update(content)
    service = Service(organization=organization, is_published=True)
    service.save()
    apply_content(service, base)
    return service
