"""A year of Liaison program activity for the demo network: activities, sessions, attendance, outreach.

Runs after the network exists (`demo.services.demo_seed`). Every choice comes from one
`random.Random(seed)`, drawn in a fixed order (organizations, sites and people sorted by name), so
one seed on one day always yields the same activity. Dates are relative to today: the last twelve
months, and a few weeks ahead for the public calendar.

Activities and series go through `ancrage.activities.services` (validation, audit); attendance and
outreach of a whole year are bulk-inserted, with the same rules the services check: counts add up,
no attendance on a cancelled or future session.

The four Liaison Officers of the pilot boroughs together reach about 10,000 attendances in twelve
months, the order of magnitude the program reported ("more than 10,000 people in 12 months by four
officers").
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from dateutil.rrule import rrulestr
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.activities import services
from ancrage.activities.activity_types import ACTIVITY_TYPES
from ancrage.activities.models import (
    Activity,
    ActivityType,
    Attendance,
    OutreachContact,
    Session,
)
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Audience, Language
from ancrage.core.reference_data import LIAISON_PILOT_BOROUGHS
from ancrage.demo.montreal import NEIGHBOURHOODS, STREETS
from ancrage.directory.needs import needs_terms
from ancrage.network.models import Membership, Organization, Partnership, PartnershipKind, Site

C = Activity.Category
V = Activity.VenueKind
F = Activity.Format
P = PartnershipKind

# What the four pilot officers reach together in twelve months (attendances, not distinct people).
PILOT_TARGET = (2600, 3000)  # per officer


@dataclass(frozen=True)
class Kind:
    """How an activity type usually runs and who comes."""

    category: str
    format: str
    minutes: int
    start: time
    weekday: str  # RRULE day
    mean: float  # attendance per session
    newcomers: float  # share of participants
    women: float
    children: float
    families: float
    non_users: float
    audiences: tuple[str, ...]
    description: tuple[str, str]
    capacity: int | None = None


# What each kind of activity helps with, in the directory's needs taxonomy.
NEEDS_BY_TYPE = {
    "job-cafe": ("employment",),
    "french-conversation": ("french-courses", "social-cultural-life"),
    "coffee-and-chat": ("social-cultural-life", "settlement-support"),
    "computer-workshop": ("digital-skills",),
    "information-session": ("first-steps", "public-services"),
    "citizenship-exam": ("citizenship",),
    "resume-workshop": ("employment",),
    "storytime": ("childhood-family",),
    "reading-in-daycare": ("childhood-family", "education"),
    "immigrant-women-committee": ("social-cultural-life", "settlement-support"),
    "tea-and-knitting": ("social-cultural-life",),
    "urban-agriculture": ("food-security", "social-cultural-life"),
    "intercultural-film-festival": ("social-cultural-life", "intercultural-mediation"),
    "art-exhibition": ("social-cultural-life",),
    "event-booth": ("public-services",),
    "partner-visit": ("settlement-support",),
    "newcomer-student-evening": ("education", "childhood-family"),
}

KINDS = {
    "job-cafe": Kind(
        C.COACHING,
        F.OPEN,
        120,
        time(13, 30),
        "TU",
        11,
        0.7,
        0.5,
        0,
        0,
        0.5,
        ("newcomers", "immigrants"),
        (
            "Rencontres informelles avec des employeurs et des conseillers en emploi.",
            "Informal meetings with employers and employment counsellors.",
        ),
    ),
    "french-conversation": Kind(
        C.SPECIALIZED,
        F.DROP_IN,
        90,
        time(18, 30),
        "TH",
        10,
        0.8,
        0.6,
        0,
        0,
        0.4,
        ("newcomers", "immigrants"),
        (
            "Pratiquer le français oral dans une ambiance détendue, tous niveaux.",
            "Practise spoken French in a relaxed setting, all levels.",
        ),
    ),
    "coffee-and-chat": Kind(
        C.MIXED,
        F.DROP_IN,
        90,
        time(10, 0),
        "WE",
        9,
        0.55,
        0.7,
        0.1,
        0.1,
        0.35,
        ("newcomers", "immigrants", "seniors"),
        (
            "Un café, des rencontres et de l'information sur le quartier.",
            "Coffee, new acquaintances and information about the neighbourhood.",
        ),
    ),
    "computer-workshop": Kind(
        C.SPECIALIZED,
        F.REGISTRATION,
        120,
        time(10, 0),
        "SA",
        9,
        0.6,
        0.55,
        0,
        0,
        0.3,
        ("newcomers", "immigrants", "seniors"),
        (
            "Courriel, recherche d'emploi en ligne et services gouvernementaux en ligne.",
            "E-mail, online job search and online government services.",
        ),
        capacity=12,
    ),
    "information-session": Kind(
        C.SPECIALIZED,
        F.OPEN,
        120,
        time(18, 30),
        "2TH",
        17,
        0.75,
        0.55,
        0.05,
        0.2,
        0.45,
        ("newcomers",),
        (
            "Droits et responsabilités, organisation municipale, ressources du quartier.",
            "Rights and responsibilities, how the city works, neighbourhood resources.",
        ),
    ),
    "citizenship-exam": Kind(
        C.COACHING,
        F.REGISTRATION,
        90,
        time(18, 0),
        "MO",
        11,
        0.35,
        0.5,
        0,
        0,
        0.3,
        ("immigrants",),
        (
            "Se préparer à l'examen de citoyenneté canadienne.",
            "Prepare for the Canadian citizenship test.",
        ),
        capacity=15,
    ),
    "resume-workshop": Kind(
        C.COACHING,
        F.REGISTRATION,
        120,
        time(13, 30),
        "1WE",
        9,
        0.75,
        0.55,
        0,
        0,
        0.45,
        ("newcomers",),
        (
            "Rédiger un CV adapté au marché du travail québécois.",
            "Write a résumé for the Québec job market.",
        ),
        capacity=12,
    ),
    "storytime": Kind(
        C.MIXED,
        F.OPEN,
        45,
        time(9, 30),
        "FR",
        14,
        0.5,
        0.3,
        0.6,
        0.3,
        0.5,
        ("children", "families", "library-non-users"),
        (
            "Histoires, comptines et livres pour les tout-petits et leurs parents.",
            "Stories, rhymes and books for toddlers and their parents.",
        ),
    ),
    "reading-in-daycare": Kind(
        C.MIXED,
        F.OPEN,
        45,
        time(10, 0),
        "TU",
        13,
        0.45,
        0.1,
        0.85,
        0.05,
        0.7,
        ("children", "library-non-users"),
        (
            "Lecture animée dans les garderies et les centres de la petite enfance.",
            "Read-aloud sessions in daycares and early-childhood centres.",
        ),
    ),
    "immigrant-women-committee": Kind(
        C.MEDIATION,
        F.OPEN,
        120,
        time(13, 0),
        "3TU",
        10,
        0.6,
        1.0,
        0,
        0,
        0.4,
        ("women", "newcomers"),
        (
            "Les femmes immigrantes du quartier proposent et organisent des activités.",
            "Immigrant women of the neighbourhood suggest and organize activities.",
        ),
    ),
    "tea-and-knitting": Kind(
        C.MIXED,
        F.DROP_IN,
        120,
        time(13, 30),
        "MO",
        8,
        0.45,
        0.95,
        0,
        0,
        0.5,
        ("women", "seniors"),
        (
            "Thé, tricot et conversation pour briser l'isolement.",
            "Tea, knitting and conversation against isolation.",
        ),
    ),
    "urban-agriculture": Kind(
        C.MIXED,
        F.DROP_IN,
        120,
        time(10, 0),
        "SA",
        12,
        0.5,
        0.75,
        0.25,
        0.3,
        0.6,
        ("women", "families"),
        (
            "Jardinage collectif et échange de semences.",
            "Community gardening and seed exchange.",
        ),
    ),
    "intercultural-film-festival": Kind(
        C.MEDIATION,
        F.OPEN,
        180,
        time(18, 30),
        "FR",
        55,
        0.4,
        0.55,
        0.1,
        0.2,
        0.4,
        ("newcomers", "immigrants", "families"),
        (
            "Films d'ici et d'ailleurs, suivis d'une discussion.",
            "Films from here and elsewhere, followed by a discussion.",
        ),
    ),
    "art-exhibition": Kind(
        C.MEDIATION,
        F.DROP_IN,
        240,
        time(13, 0),
        "SA",
        40,
        0.35,
        0.55,
        0.15,
        0.2,
        0.45,
        ("newcomers", "immigrants"),
        (
            "Œuvres d'artistes immigrants du quartier, vernissage et rencontre.",
            "Works by immigrant artists of the neighbourhood, opening and meeting.",
        ),
    ),
    "event-booth": Kind(
        C.MIXED,
        F.DROP_IN,
        240,
        time(11, 0),
        "SA",
        85,
        0.35,
        0.55,
        0.3,
        0.3,
        0.6,
        ("newcomers", "families", "library-non-users"),
        (
            "Kiosque de la bibliothèque : inscription, livres et activités pour les familles.",
            "The library's booth: sign-up, books and activities for families.",
        ),
    ),
    "partner-visit": Kind(
        C.MEDIATION,
        F.OPEN,
        90,
        time(14, 0),
        "1TH",
        12,
        0.75,
        0.6,
        0.1,
        0.2,
        0.75,
        ("newcomers", "library-non-users"),
        (
            "Présentation des services de la bibliothèque chez un partenaire.",
            "Presenting the library's services at a partner's.",
        ),
    ),
    "newcomer-student-evening": Kind(
        C.MEDIATION,
        F.OPEN,
        120,
        time(18, 30),
        "WE",
        45,
        0.7,
        0.5,
        0.45,
        0.4,
        0.5,
        ("newcomers", "families", "children"),
        (
            "Soirée d'accueil à l'école pour les élèves nouvellement arrivés et leur famille.",
            "A welcome evening at school for newcomer students and their families.",
        ),
    ),
}

TITLES = {code: (fr, en) for code, fr, en in ACTIVITY_TYPES}

# Activities of a pilot officer: (type, weeks between sessions; 0 = one-off dates, "M" = monthly).
PILOT_FIRST_BRANCH = [("job-cafe", 1), ("french-conversation", 1), ("coffee-and-chat", 1)]
PILOT_OTHER_BRANCHES = [
    ("french-conversation", 1),
    ("coffee-and-chat", 1),
    ("computer-workshop", 2),
    ("tea-and-knitting", 2),
    ("citizenship-exam", 2),
]
PILOT_MONTHLY = ["information-session", "resume-workshop", "immigrant-women-committee"]
BRANCH_CHOICES = [
    ("storytime", 1),
    ("coffee-and-chat", 1),
    ("french-conversation", 1),
    ("computer-workshop", 2),
    ("tea-and-knitting", 2),
    ("job-cafe", 2),
]
COMMUNITY_CHOICES = [
    ("information-session", "M"),
    ("french-conversation", 1),
    ("immigrant-women-committee", "M"),
    ("tea-and-knitting", 1),
    ("resume-workshop", "M"),
    ("job-cafe", 2),
    ("coffee-and-chat", 2),
]
OTHER_LANGUAGES = ["en", "es", "ar", "ht", "zh-hans", "fa", "pt", "vi", "tl", "uk"]

PLACES = {
    V.DAYCARE: [
        "CPE Les Petits Explorateurs {de}",
        "Garderie Les Lucioles {de}",
        "CPE Arc-en-ciel {de}",
    ],
    V.SCHOOL: ["École primaire {de}", "École secondaire {de}"],
    V.PARK: ["Parc {de}"],
    V.LAUNDROMAT: ["Buanderie {street}"],
    V.CLINIC: ["Clinique médicale {de}", "CLSC {de}"],
    V.EVENT: ["Fête de quartier {de}", "Fête de la famille {de}", "Marché public {de}"],
    V.YOUTH_CENTRE: ["Maison des jeunes {de}"],
}
OUTREACH_KINDS = [
    (V.LAUNDROMAT, 3),
    (V.CLINIC, 2),
    (V.PARK, 2),
    (V.DAYCARE, 2),
    (V.SCHOOL, 2),
    (V.COMMUNITY_ORGANIZATION, 3),
    (V.EVENT, 1),
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]


@dataclass
class ActivitySummary:
    activities: int = 0
    sessions: int = 0
    cancelled: int = 0
    attendance_records: int = 0
    attendances: int = 0
    pilot_attendances: int = 0
    outreach_contacts: int = 0
    people_met: int = 0


@dataclass
class _Series:
    activity: Activity
    kind: Kind
    mean: float
    officer: Any
    sessions: list[Session]


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


class _Generator:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.first_day = today - timedelta(days=364)
        self.now = timezone.now()
        self.types = {t.code: t for t in ActivityType.objects.all()}
        self.audiences = {a.code: a for a in Audience.objects.all()}
        self.languages = {lang.code: lang for lang in Language.objects.all()}
        self.needs = {term.code: term for term in needs_terms()}
        self.series: list[_Series] = []
        self.summary = ActivitySummary()

    # --- Places and dates -------------------------------------------------------------------

    def place(self, kind: str, borough: str) -> str:
        rng = self.rng
        hood, de = rng.choice(NEIGHBOURHOODS[borough])
        template = rng.choice(PLACES.get(kind, ["{hood}"]))
        return template.format(de=de, hood=hood, street=rng.choice(STREETS[borough]))

    def _aware(self, day: date, at: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, at))

    def rule(self, kind: Kind, every: int | str, *, start: date, end: date) -> tuple[str, datetime]:
        """An RRULE from `start` to `end` and its first occurrence."""
        until = f"UNTIL={end:%Y%m%d}T235959"
        if every == "M":
            weekday = kind.weekday if kind.weekday[0].isdigit() else f"2{kind.weekday}"
            rule = f"FREQ=MONTHLY;BYDAY={weekday};{until}"
        else:
            weekday = kind.weekday.lstrip("0123456789")
            if self.rng.random() < 0.3:
                weekday = self.rng.choice(WEEKDAYS)
            rule = f"FREQ=WEEKLY;INTERVAL={every};BYDAY={weekday};{until}"
        first = rrulestr(rule, dtstart=datetime.combine(start, kind.start), ignoretz=True)[0]
        return rule, timezone.make_aware(first)

    # --- Writing ----------------------------------------------------------------------------

    def activity(
        self,
        organization: Organization,
        code: str,
        *,
        borough,
        site: Site | None = None,
        venue_kind: str = V.LIBRARY,
        venue_name: str = "",
        officer: Any = None,
        partners: list[Organization] = (),
        is_public: bool = True,
    ) -> Activity:
        rng = self.rng
        kind = KINDS[code]
        fr, en = TITLES[code]
        if venue_name:
            fr, en = f"{fr} — {venue_name}", f"{en} — {venue_name}"
        languages = ["fr"] + rng.sample(OTHER_LANGUAGES, rng.choice([0, 0, 1, 1, 2]))
        chosen = rng.sample(list(partners), min(len(partners), rng.choice([0, 1, 1, 2])))
        kinds = [[P.ACTIVITIES], [P.RECRUITING], [P.ACTIVITIES, P.RECRUITING], [P.INFORMATION]]
        activity = services.activity_create(
            actor=None,
            organization=organization,
            title={"fr": fr, "en": en},
            description={"fr": kind.description[0], "en": kind.description[1]},
            activity_type=self.types[code],
            category=kind.category,
            venue_kind=venue_kind,
            format=kind.format,
            site=site,
            venue_name=venue_name,
            borough=borough,
            audiences=[self.audiences[a] for a in kind.audiences if a in self.audiences],
            languages=[self.languages[c] for c in languages if c in self.languages],
            needs=[self.needs[c] for c in NEEDS_BY_TYPE.get(code, ())],
            capacity=kind.capacity,
            interpreter_present=rng.random() < 0.1,
            community_leader_present=venue_kind != V.LIBRARY and rng.random() < 0.25,
            officer=officer,
            is_public=is_public,
            partners={p: rng.choice(kinds) for p in chosen},
        )
        self.summary.activities += 1
        return activity

    def series_of(
        self, activity: Activity, code: str, every: int | str, officer: Any, *, season=None
    ):
        rng = self.rng
        kind = KINDS[code]
        if season is None:
            start = self.first_day + timedelta(days=rng.randint(0, 40))
            end = self.today + timedelta(days=rng.randint(14, 70))
            if rng.random() < 0.25:  # a series that stopped during the year
                end = self.today - timedelta(days=rng.randint(30, 150))
        else:
            start, end = season
        rule, first = self.rule(kind, every, start=start, end=end)
        sessions = services.series_schedule(
            actor=None,
            activity=activity,
            rrule=rule,
            first_start=first,
            duration_minutes=kind.minutes,
        )
        self.series.append(
            _Series(activity, kind, kind.mean * rng.uniform(0.7, 1.3), officer, sessions)
        )

    def one_offs(self, activity: Activity, code: str, count: int, officer: Any) -> None:
        rng = self.rng
        kind = KINDS[code]
        days = sorted(rng.sample(range(0, 364 + 30), count))
        sessions = []
        for offset in days:
            starts_at = self._aware(self.first_day + timedelta(days=offset), kind.start)
            sessions.append(
                services.session_schedule(
                    actor=None,
                    activity=activity,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=kind.minutes),
                )
            )
        self.series.append(
            _Series(activity, kind, kind.mean * rng.uniform(0.8, 1.2), officer, sessions)
        )

    def summer(self) -> tuple[date, date]:
        year = self.today.year if date(self.today.year, 6, 1) <= self.today else self.today.year - 1
        return max(date(year, 6, 1), self.first_day), date(year, 8, 31)

    # --- The network's activity -------------------------------------------------------------

    def pilot_officer(self, membership: Membership) -> int:
        """Activities of one pilot Liaison Officer, in their branches and outside."""
        rng = self.rng
        library = membership.organization
        borough = library.borough
        code = borough.code
        officer = membership.user
        branches = sorted(membership.sites.all(), key=lambda s: s.name)
        partners = sorted(
            (
                p.partner
                for p in Partnership.objects.filter(organization=library).select_related("partner")
            ),
            key=lambda o: o.name,
        )
        first = len(self.series)
        for number, branch in enumerate(branches):
            plans = PILOT_FIRST_BRANCH if number == 0 else rng.sample(PILOT_OTHER_BRANCHES, 2)
            for type_code, every in plans:
                activity = self.activity(
                    library,
                    type_code,
                    borough=borough,
                    site=branch,
                    officer=officer,
                    partners=partners,
                )
                self.series_of(activity, type_code, every, officer)
        for type_code in PILOT_MONTHLY:
            branch = rng.choice(branches)
            activity = self.activity(
                library, type_code, borough=borough, site=branch, officer=officer, partners=partners
            )
            self.series_of(activity, type_code, "M", officer)
        # Outside the library: daycares, a park in summer, schools, partners, borough events.
        for type_code, venue_kind, every in [
            ("storytime", V.DAYCARE, 1),
            ("reading-in-daycare", V.DAYCARE, 2),
            ("urban-agriculture", V.PARK, 1),
            ("partner-visit", V.COMMUNITY_ORGANIZATION, "M"),
        ]:
            if venue_kind == V.COMMUNITY_ORGANIZATION:
                local = [p for p in partners if p.kind == OrganizationKind.COMMUNITY_ORGANIZATION]
                venue = rng.choice(local).name if local else self.place(V.EVENT, code)
            else:
                venue = self.place(venue_kind, code)
            activity = self.activity(
                library,
                type_code,
                borough=borough,
                venue_kind=venue_kind,
                venue_name=venue,
                officer=officer,
                partners=partners,
                is_public=type_code not in ("reading-in-daycare", "partner-visit"),
            )
            season = self.summer() if venue_kind == V.PARK else None
            self.series_of(activity, type_code, every, officer, season=season)
        for type_code, venue_kind, count in [
            ("event-booth", V.EVENT, rng.randint(4, 6)),
            ("newcomer-student-evening", V.SCHOOL, rng.randint(2, 4)),
            ("intercultural-film-festival", V.LIBRARY, rng.randint(1, 2)),
            ("art-exhibition", V.LIBRARY, 1),
        ]:
            site = rng.choice(branches) if venue_kind == V.LIBRARY else None
            activity = self.activity(
                library,
                type_code,
                borough=borough,
                site=site,
                venue_kind=venue_kind,
                venue_name="" if site else self.place(venue_kind, code),
                officer=officer,
                partners=partners,
            )
            self.one_offs(activity, type_code, count, officer)
        # Scale this officer's year to the program's order of magnitude.
        target = rng.randint(*PILOT_TARGET)
        mine = self.series[first:]
        expected = sum(s.mean * self._held(s.sessions) for s in mine) or 1
        for series in mine:
            series.mean *= target / expected
        return len(mine)

    def _held(self, sessions: list[Session]) -> int:
        return sum(1 for s in sessions if s.starts_at <= self.now)

    def other_branches(self, libraries: list[Organization]) -> None:
        rng = self.rng
        for library in libraries:
            for branch in sorted(library.sites.all(), key=lambda s: s.name):
                for type_code, every in rng.sample(BRANCH_CHOICES, rng.randint(1, 3)):
                    activity = self.activity(
                        library, type_code, borough=branch.borough, site=branch
                    )
                    self.series_of(activity, type_code, every, None)
                    self.series[-1].mean *= 0.8

    def community(self, organizations: list[Organization]) -> None:
        rng = self.rng
        for organization in organizations:
            head = min(organization.sites.all(), key=lambda s: s.pk, default=None)
            if head is None:
                continue
            staff = sorted(
                (
                    m.user
                    for m in organization.memberships.all()
                    if m.role in (Role.COMMUNITY_WORKER, Role.INTAKE_WORKER)
                ),
                key=lambda u: u.username,
            )
            partners = sorted(
                (p.partner for p in organization.partnerships.all()), key=lambda o: o.name
            )
            for type_code, every in rng.sample(COMMUNITY_CHOICES, rng.randint(1, 2)):
                officer = staff[0] if staff else None
                activity = self.activity(
                    organization,
                    type_code,
                    borough=head.borough,
                    site=head,
                    venue_kind=V.COMMUNITY_ORGANIZATION,
                    officer=officer,
                    partners=partners,
                )
                self.series_of(activity, type_code, every, officer)

    def outreach(self, membership: Membership) -> list[OutreachContact]:
        rng = self.rng
        library = membership.organization
        code = library.borough.code
        local = sorted(
            Organization.objects.filter(
                borough=library.borough, kind=OrganizationKind.COMMUNITY_ORGANIZATION
            ).values_list("name", flat=True)
        )
        contacts = []
        kinds = [k for k, _w in OUTREACH_KINDS]
        weights = [w for _k, w in OUTREACH_KINDS]
        day = self.first_day
        while day <= self.today:
            day += timedelta(days=rng.randint(2, 5))
            if day > self.today or day.weekday() >= 5 and rng.random() < 0.7:
                continue
            kind = rng.choices(kinds, weights)[0]
            if kind == V.COMMUNITY_ORGANIZATION and local:
                place = rng.choice(local)
            else:
                place = self.place(kind if kind in PLACES else V.EVENT, code)
            met = max(1, round(rng.gauss(12 if kind != V.EVENT else 45, 5)))
            contacts.append(
                OutreachContact(
                    organization=library,
                    officer=membership.user,
                    met_on=day,
                    venue_kind=kind,
                    place=place[:200],
                    borough=library.borough,
                    people_met=met,
                    came_to_library_later=min(met, round(met * rng.uniform(0, 0.4))),
                )
            )
        return contacts

    # --- Attendance -------------------------------------------------------------------------

    def counts(self, kind: Kind, mean: float) -> dict[str, int]:
        rng = self.rng

        def share(value: float, spread: float = 0.12) -> float:
            return min(1.0, max(0.0, rng.gauss(value, spread)))

        total = max(1, round(rng.gauss(mean, mean * 0.3)))
        if kind.capacity:
            total = min(total, kind.capacity)
        newcomers = round(total * share(kind.newcomers))
        immigrants = round((total - newcomers) * share(0.5, 0.2))
        return {
            "newcomers": newcomers,
            "immigrants": immigrants,
            "others": total - newcomers - immigrants,
            "women": round(total * share(kind.women)),
            "children": round(total * share(kind.children, 0.08)) if kind.children else 0,
            "families": round(total * share(kind.families, 0.08)) if kind.families else 0,
            "library_non_users": round(total * share(kind.non_users)),
            "total": total,
        }

    def cancel_and_count(self, pilot: set[int]) -> tuple[list[int], list[Attendance]]:
        """Holidays and a few random sessions are cancelled; past ones get their head count."""
        rng = self.rng
        cancelled, records = [], []
        for series in self.series:
            for session in series.sessions:
                day = timezone.localtime(session.starts_at).date()
                holiday = (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 3)
                if holiday or rng.random() < 0.03:
                    cancelled.append(session.pk)
                    continue
                if session.starts_at > self.now:
                    continue
                counts = self.counts(series.kind, series.mean)
                records.append(Attendance(session=session, recorded_by=series.officer, **counts))
                self.summary.attendances += counts["total"]
                if series.activity.pk in pilot:
                    self.summary.pilot_attendances += counts["total"]
        return cancelled, records


@transaction.atomic
def demo_activities(
    *, seed: int, today: date | None = None, stdout: TextIO | None = None
) -> ActivitySummary:
    """Write a year of activity for the demo network already in the database."""
    generator = _Generator(seed, today or timezone.localdate())
    officers = list(
        Membership.objects.current()
        .filter(role=Role.LIAISON_OFFICER, organization__borough__code__in=LIAISON_PILOT_BOROUGHS)
        .select_related("organization__borough", "user")
        .order_by("organization__name", "user__username")
    )
    _say(
        stdout,
        _("Planning a year of activities for %(count)d liaison officers…")
        % {"count": len(officers)},
    )
    pilot_first = len(generator.series)
    for membership in officers:
        generator.pilot_officer(membership)
    pilot = {s.activity.pk for s in generator.series[pilot_first:]}
    pilot_libraries = {m.organization_id for m in officers}
    libraries = list(
        Organization.objects.filter(kind=OrganizationKind.LIBRARY)
        .exclude(pk__in=pilot_libraries)
        .prefetch_related("sites__borough")
        .order_by("name")
    )
    _say(stdout, _("Adding activities in the other library branches and community organizations…"))
    generator.other_branches(libraries)
    staffed = (
        Organization.objects.filter(
            kind__in=[OrganizationKind.COMMUNITY_ORGANIZATION, OrganizationKind.SOCIAL_ECONOMY],
            memberships__role=Role.DIRECTOR,
        )
        .distinct()
        .prefetch_related("sites__borough", "memberships__user", "partnerships__partner")
        .order_by("name")
    )
    generator.community(list(staffed))

    _say(stdout, _("Recording attendance and outreach…"))
    cancelled, records = generator.cancel_and_count(pilot)
    for start in range(0, len(cancelled), 500):
        Session.objects.filter(pk__in=cancelled[start : start + 500]).update(
            status=Session.Status.CANCELLED
        )
    Attendance.objects.bulk_create(records, batch_size=2000)
    contacts = [c for membership in officers for c in generator.outreach(membership)]
    OutreachContact.objects.bulk_create(contacts, batch_size=2000)

    summary = generator.summary
    summary.sessions = sum(len(s.sessions) for s in generator.series)
    summary.cancelled = len(cancelled)
    summary.attendance_records = len(records)
    summary.outreach_contacts = len(contacts)
    summary.people_met = sum(c.people_met for c in contacts)
    return summary
