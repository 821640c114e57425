"""Cost of the tenancy scope: `scoped(Site, user)` against the hand-written filter it replaces.

Data: 2,000 organizations × 5 sites, 2,000 directors, one city coordinator (network-wide).
Floors: the raw ORM query on a known organization id (same rows, same order), and the naive
two-query way a view would write it without the layer (look up the memberships, then filter).
"""

import statistics
import time

from django.contrib.auth import get_user_model

from ancrage.core import tenancy
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import Membership, Organization, Site

REPEAT = 200


def _populate(organizations: int) -> tuple:
    boroughs = list(Borough.objects.all())
    Organization.objects.bulk_create(
        Organization(
            name=f"Organisme {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough=boroughs[i % 19],
        )
        for i in range(organizations)
    )
    orgs = list(Organization.objects.order_by("pk"))
    Site.objects.bulk_create(
        Site(organization=o, name=f"Lieu {j}", borough=o.borough, street_address=f"{j} rue A")
        for o in orgs
        for j in range(5)
    )
    User = get_user_model()
    User.objects.bulk_create(User(username=f"d{o.pk}@bench.invalid") for o in orgs)
    users = {u.username: u for u in User.objects.all()}
    Membership.objects.bulk_create(
        Membership(user=users[f"d{o.pk}@bench.invalid"], organization=o, role=Role.DIRECTOR)
        for o in orgs
    )
    city = Organization.objects.create(name="Ville", kind=OrganizationKind.CITY_SERVICE)
    coordinator = User.objects.create(username="coordination@bench.invalid")
    Membership.objects.create(user=coordinator, organization=city, role=Role.COORDINATOR)
    director = users[f"d{orgs[len(orgs) // 2].pk}@bench.invalid"]
    return director, orgs[len(orgs) // 2], coordinator


def _median_ms(fn) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def run(*, scale: int = 1) -> dict:
    director, organization, coordinator = _populate(2000 * scale)

    def fresh(user):
        tenancy.forget_memberships(user)  # measure the membership lookup too, as on each request
        return user

    own_scoped = _median_ms(lambda: list(tenancy.scoped(Site, fresh(director)).order_by("pk")))
    own_floor = _median_ms(
        lambda: list(Site.objects.filter(organization_id=organization.pk).order_by("pk"))
    )
    # What a view without the layer must do too: look up the user's organizations, then filter.
    own_naive = _median_ms(
        lambda: list(
            Site.objects.filter(
                organization_id__in=list(
                    Membership.objects.current()
                    .filter(user=director)
                    .values_list("organization_id", flat=True)
                )
            ).order_by("pk")
        )
    )
    all_scoped = _median_ms(
        lambda: list(tenancy.scoped(Site, fresh(coordinator)).order_by("pk")[:50])
    )
    all_floor = _median_ms(lambda: list(Site.objects.order_by("pk")[:50]))
    assert len(tenancy.scoped(Site, director)) == 5
    return {
        "organizations": Organization.objects.count(),
        "sites": Site.objects.count(),
        "director_sites_scoped_ms": own_scoped,
        "director_sites_floor_ms": own_floor,
        "director_sites_naive_two_queries_ms": own_naive,
        "director_ratio": round(own_scoped / own_floor, 2),
        "director_ratio_vs_naive": round(own_scoped / own_naive, 2),
        "coordinator_page_scoped_ms": all_scoped,
        "coordinator_page_floor_ms": all_floor,
        "coordinator_ratio": round(all_scoped / all_floor, 2),
    }
