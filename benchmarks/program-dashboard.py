"""The Liaison program dashboard at city scale, against the raw SQL aggregate of the same numbers.

Data (in the throwaway database of `ancrage bench`): 19 library networks with 45 branches and
120 community organizations, 2,400 activities, ≥ 200,000 sessions over the last 13 months and a
head count for every past, held session — ≥ 2,000,000 attendances in the year.

Measured: the whole city-wide dashboard for the last 12 months as a city coordinator sees it
(`program_report`: totals, previous-period comparison, every breakdown table).
Floor: one raw SQL statement computing the period's totals (sessions, hours, attendances by group).
"""

import random
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from ancrage.activities.models import Activity, ActivityType, Attendance, Session
from ancrage.activities.selectors import ProgramFilters, default_period, program_report
from ancrage.core.choices import OrganizationKind, Role
from ancrage.core.models import Borough
from ancrage.network.models import Membership, Organization, Site

SESSIONS = 204_000
REPEAT = 5
BATCH = 5_000


def _populate(scale: int, rng: random.Random):
    boroughs = list(Borough.objects.order_by("pk"))
    types = list(ActivityType.objects.order_by("pk"))
    libraries = Organization.objects.bulk_create(
        Organization(name=f"Bibliothèques {b.code}", kind=OrganizationKind.LIBRARY, borough=b)
        for b in boroughs
    )
    community = Organization.objects.bulk_create(
        Organization(
            name=f"Organisme {i}",
            kind=OrganizationKind.COMMUNITY_ORGANIZATION,
            borough=boroughs[i % len(boroughs)],
        )
        for i in range(120)
    )
    branches = Site.objects.bulk_create(
        Site(
            organization=libraries[i % len(libraries)],
            name=f"Succursale {i}",
            kind=Site.Kind.LIBRARY_BRANCH,
            borough=libraries[i % len(libraries)].borough,
            street_address=f"{i} rue de la Bibliothèque",
        )
        for i in range(45)
    )
    activities = []
    for i in range(2400):
        branch = branches[i % len(branches)] if i % 3 else None
        organization = branch.organization if branch else community[i % len(community)]
        activities.append(
            Activity(
                organization=organization,
                title={"fr": f"Activité {i}", "en": f"Activity {i}"},
                activity_type=types[i % len(types)],
                category=rng.choice(Activity.Category.values),
                site=branch,
                venue_kind=Activity.VenueKind.LIBRARY
                if branch
                else rng.choice(Activity.VenueKind.values),
                borough=branch.borough if branch else organization.borough,
                format=Activity.Format.DROP_IN,
            )
        )
    activities = Activity.objects.bulk_create(activities)
    now = timezone.now()
    first = now - timedelta(days=395)
    per_activity = SESSIONS * scale // len(activities)
    for start in range(0, len(activities), 50):
        sessions = []
        for activity in activities[start : start + 50]:
            for k in range(per_activity):
                begins = first + timedelta(days=k * 410 / per_activity, hours=rng.randint(9, 19))
                sessions.append(
                    Session(
                        activity=activity,
                        starts_at=begins,
                        ends_at=begins + timedelta(minutes=90),
                        status=Session.Status.CANCELLED
                        if rng.random() < 0.03
                        else Session.Status.SCHEDULED,
                    )
                )
        Session.objects.bulk_create(sessions, batch_size=BATCH)
    held = Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__lte=now).values_list(
        "pk", flat=True
    )
    rows = []
    for session_id in held.iterator(chunk_size=BATCH):
        newcomers, immigrants, others = rng.randint(4, 12), rng.randint(1, 4), rng.randint(0, 3)
        total = newcomers + immigrants + others
        rows.append(
            Attendance(
                session_id=session_id,
                newcomers=newcomers,
                immigrants=immigrants,
                others=others,
                total=total,
                women=rng.randint(0, total),
                children=rng.randint(0, total),
                families=rng.randint(0, total // 2),
                library_non_users=rng.randint(0, total),
            )
        )
        if len(rows) >= BATCH:
            Attendance.objects.bulk_create(rows)
            rows = []
    Attendance.objects.bulk_create(rows)
    city = Organization.objects.create(
        name="Ville de Montréal — coordination", kind=OrganizationKind.CITY_SERVICE
    )
    coordinator = get_user_model().objects.create(username="coordination@bench.invalid")
    Membership.objects.create(user=coordinator, organization=city, role=Role.COORDINATOR)
    return coordinator


FLOOR_SQL = """
SELECT COUNT(*), SUM(a.total), SUM(a.newcomers), SUM(a.immigrants), SUM(a.others), SUM(a.women),
       SUM(a.children), SUM(a.families), SUM(a.library_non_users)
FROM activities_session s
LEFT JOIN activities_attendance a ON a.session_id = s.id
WHERE s.status = 'scheduled' AND s.starts_at >= %s AND s.starts_at < %s AND s.starts_at <= %s
"""


def _median_seconds(fn) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples), 3), result


def run(*, scale: int = 1) -> dict:
    rng = random.Random(2026)
    started = time.perf_counter()
    coordinator = _populate(scale, rng)
    populate_seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a production database has
    start, end = default_period()
    filters = ProgramFilters(start=start, end=end)
    lower = timezone.make_aware(datetime.combine(start, dt_time.min))
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), dt_time.min))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [lower, upper, timezone.now()])
            return cursor.fetchone()

    def dashboard():
        return program_report(user=coordinator, filters=filters)

    floor_seconds, raw = _median_seconds(floor)
    dashboard_seconds, report = _median_seconds(dashboard)
    # The dashboard must say what the raw aggregate says.
    assert report.figures.sessions == raw[0], (report.figures.sessions, raw[0])
    assert report.figures.attendances == raw[1], (report.figures.attendances, raw[1])
    return {
        "sessions_rows": Session.objects.count(),
        "attendance_rows": Attendance.objects.count(),
        "attendances_in_year": raw[1],
        "sessions_held_in_year": raw[0],
        "populate_seconds": populate_seconds,
        "dashboard_year_seconds": dashboard_seconds,
        "floor_raw_sql_seconds": floor_seconds,
        "ratio": round(dashboard_seconds / floor_seconds, 2) if floor_seconds else None,
        "target_seconds": 1.0 if connection.vendor == "postgresql" else 2.0,
    }
