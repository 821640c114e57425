"""Closed vocabularies shared by several apps (open ones are reference tables in models.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    LIBRARY = "library", _("Library network or branch")
    COMMUNITY_ORGANIZATION = "community_organization", _("Community organization")
    SOCIAL_ECONOMY = "social_economy", _("Social economy enterprise")
    CITY_SERVICE = "city_service", _("City service")
    BOROUGH = "borough", _("Borough")
    FUNDER = "funder", _("Funder")
    HEALTH_INSTITUTION = "institution_health", _("Health institution")
    EDUCATION_INSTITUTION = "institution_education", _("Education institution")
    RESEARCH_INSTITUTION = "institution_research", _("Research institution")
    ROUND_TABLE = "round_table", _("Round table")
    FOUNDATION = "foundation", _("Foundation")


# The city's own family: partnerships among these are "internal" in the Liaison program's terms.
CITY_FAMILY = frozenset(
    {OrganizationKind.LIBRARY, OrganizationKind.CITY_SERVICE, OrganizationKind.BOROUGH}
)
INSTITUTIONAL = frozenset(
    {
        OrganizationKind.HEALTH_INSTITUTION,
        OrganizationKind.EDUCATION_INSTITUTION,
        OrganizationKind.RESEARCH_INSTITUTION,
    }
)


class Role(models.TextChoices):
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    INTAKE_WORKER = "intake_worker", _("Intake worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    COORDINATOR = "coordinator", _("Coordinator")
    DIRECTOR = "director", _("Director")
    DATA_STEWARD = "data_steward", _("Data steward")
    FUNDER_ADVISOR = "funder_advisor", _("Funder advisor")
    GRANT_REVIEWER = "grant_reviewer", _("Grant reviewer")
    ADMINISTRATOR = "administrator", _("Administrator")
