"""Load: gunicorn on loopback, 50 concurrent users for 60 s, a mixed workload on city data.

Data (in the throwaway database of `ancrage bench`, PostgreSQL only: the server's processes must
share the database): the whole city of the city generator (`ancrage.demo.city`, as `ancrage
seed-demo --scale city`): 701 organizations with 1,308 sites, 1,000,000 clients with identities
and 11,245,817 blind-index tokens, 10,000,000 service records, 4,000 activities with 2,920,000
sessions and 2,096,695 attendance rows, 20,000 directory services (and the search index built),
then `VACUUM ANALYZE` and a checkpoint (the state autovacuum leaves a database in, rather than
its work during the load). `ANCRAGE_LOAD_FACTOR=0.1` runs on a tenth of it (about 3 minutes
instead of 9).

Server: `gunicorn ancrage.wsgi` (gthread, 4 processes × 4 threads), DEBUG off, persistent database connections.
Users: 50 threads of this process (http.client, keep-alive), each a director of one intake
organization (its session made by `second_factor.force_sign_in`, both steps: the login forms
are not what is measured, and Axes never sees a failure) who, in a loop, picks one request, then
reads or types for 1 to 5 s (uniform; 50 people at work, not 50 scripts firing back to back;
each one's first request comes within the first 5 s, not all 50 in the same millisecond):
- public directory search `GET /services/?q=…` (30 %, anonymous, queries of `directory-search`);
- public calendar `GET /activities/` with a borough or a page (25 %, anonymous);
- attendance entry `POST /activities/manage/sessions/<pk>/attendance/` (15 %: a past session of
  its organization without attendance, each once);
- service entry `POST /clients/<pk>/services/new/` (20 %: a client of its organization);
- report `GET /activities/program/` (10 %: the organization's activities dashboard, 12 months).
Measured: throughput, p50/p95/p99 per endpoint, errors (any status but the expected 200/302, or
a failed connection); target p95 ≤ 300 ms, zero errors.
Then the same mix without the pause for 15 s: the throughput at saturation, and what latency
becomes there (reported, not judged against the target).
Floors: `GET /healthz` under the same 50 users, without pause, for 10 s (what gunicorn, the middleware and the
machine cost, nothing of the application), and each endpoint alone (20 requests one after the
other before the load, the same server): ratios p95 under load / floor.
"""

import contextlib
import http.client
import importlib.util
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.test import Client as Browser
from django.utils import timezone

from ancrage.activities.models import Attendance, Session
from ancrage.clients.models import Client, ServiceRecord
from ancrage.core import second_factor
from ancrage.core.choices import Role
from ancrage.demo import city
from ancrage.directory import search
from ancrage.network.models import Membership

LOAD_FACTOR = float(os.environ.get("ANCRAGE_LOAD_FACTOR", "1"))
USERS = 50
DURATION = 60
FLOOR_DURATION = 10
THINK_SECONDS = (1.0, 5.0)  # between a user's requests: reading the page, typing
SATURATION_DURATION = 15
ALONE = 20
WARM_UP_ALONE = 5
WORKERS = 4
THREADS = 4
PORT = 8765
TARGET_P95_MS = 300
MIX = [
    ("search", 30),
    ("calendar", 25),
    ("attendance", 15),
    ("service", 20),
    ("report", 10),
]
EXPECTED = {
    "health": 200,
    "search": 200,
    "calendar": 200,
    "attendance": 302,
    "service": 302,
    "report": 200,
}
FIELDS = [
    "newcomers",
    "immigrants",
    "others",
    "women",
    "children",
    "families",
    "library_non_users",
    "waiting_list",
]


def _queries() -> list[str]:
    path = Path(__file__).parent / "directory-search.py"
    spec = importlib.util.spec_from_file_location("load_directory_queries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.QUERIES


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class Server:
    """gunicorn in a process group of its own, stopped by its id."""

    def __init__(self):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_DEBUG": "0",
            "DATABASE_CONN_MAX_AGE": "600",
            "ANCRAGE_LOGIN_FAILURE_LIMIT": "1000000",
            # The keys the data was written with (DEBUG off does not fall back to the
            # development keys), and the key the sessions were signed with.
            "ANCRAGE_VAULT_KEYS": ",".join(settings.ANCRAGE_VAULT_KEYS),
            "ANCRAGE_VAULT_INDEX_KEY": settings.ANCRAGE_VAULT_INDEX_KEY,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                str(gunicorn),
                "ancrage.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--worker-class",
                "gthread",
                "--backlog",
                "256",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _body = Connection().request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Connection:
    """One keep-alive connection; reopened after an error or a `Connection: close`."""

    def __init__(self, cookies: str = ""):
        self.cookies = cookies
        self.http = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept-Language": "fr-CA"}
        if self.cookies:
            headers["Cookie"] = self.cookies
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reused = self.http is not None
        try:
            return self._send(method, path, data, headers)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if not reused:
                raise
            # The server closed an idle keep-alive connection: what a browser retries too.
            return self._send(method, path, data, headers)

    def _send(self, method: str, path: str, data, headers) -> tuple[int, bytes]:
        if self.http is None:
            self.http = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        try:
            self.http.request(method, path, body=data, headers=headers)
            response = self.http.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.http.close()
            self.http = None
            raise
        if response.will_close:
            self.http.close()
            self.http = None
        return response.status, payload


class User:
    """A director of one intake organization: its session, its clients, its sessions to fill."""

    def __init__(self, index: int, organization, rng: random.Random, queries, boroughs):
        self.rng = random.Random(rng.getrandbits(64))
        member = get_user_model().objects.create(username=f"direction{index}@bench.invalid")
        Membership.objects.create(user=member, organization=organization, role=Role.DIRECTOR)
        browser = Browser()
        second_factor.force_sign_in(browser, member)  # password and code, without the forms
        session = browser.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf = secrets.token_hex(16)  # 32 characters: an unmasked secret, as Django's
        cookies = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}="
        self.staff = Connection(cookies + self.csrf)
        self.public = Connection()
        self.clients = list(
            Client.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)[:2_000]
        )
        now = timezone.now()
        self.sessions = list(
            Session.objects.filter(
                activity__organization=organization,
                status=Session.Status.SCHEDULED,
                starts_at__lt=now - timedelta(days=1),
                attendance__isnull=True,
            )
            .order_by("-starts_at")
            .values_list("pk", flat=True)
        )
        self.queries, self.boroughs = queries, boroughs

    def next_request(self, endpoint: str, today: str, types: list[int]):
        rng = self.rng
        if endpoint == "search":
            params = {"q": rng.choice(self.queries)}
            if rng.random() < 0.3:
                params["page"] = rng.choice([2, 3])
            return self.public, "GET", "/services/?" + urlencode(params), None
        if endpoint == "calendar":
            roll = rng.random()
            if roll < 0.4:
                query = "?" + urlencode({"borough": rng.choice(self.boroughs)})
            elif roll < 0.6:
                query = "?page=2"
            else:
                query = ""
            return self.public, "GET", "/activities/" + query, None
        if endpoint == "attendance":
            pk = self.sessions.pop()
            origins = {name: rng.randint(0, 12) for name in ("newcomers", "immigrants", "others")}
            total = sum(origins.values())
            # Each profile counts some of the participants, never more than them.
            body = {name: str(origins.get(name, rng.randint(0, total))) for name in FIELDS}
            body["waiting_list"] = str(rng.randint(0, 3))
            body["csrfmiddlewaretoken"] = self.csrf
            return self.staff, "POST", f"/activities/manage/sessions/{pk}/attendance/", body
        if endpoint == "service":
            body = {
                "service_type": str(rng.choice(types)),
                "on": today,
                "minutes": str(rng.choice([15, 30, 45, 60])),
                "program": "",
                "note": "",
                "csrfmiddlewaretoken": self.csrf,
            }
            return self.staff, "POST", f"/clients/{rng.choice(self.clients)}/services/new/", body
        if endpoint == "report":
            return self.staff, "GET", "/activities/program/", None
        return self.public, "GET", "/healthz", None


def _errors(payload: bytes) -> list[str]:
    """The form's error messages in a page (what a failed check says)."""
    text = payload.decode("utf-8", "replace")
    return re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', text, flags=re.S)[:5]


def _percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _drive(
    users: list[User],
    seconds: float,
    pick,
    today: str,
    types: list[int],
    think: tuple[float, float] | None = None,
) -> dict:
    """Every user in its own thread until the time is up: a request, then `think` seconds
    (uniform between the two bounds; None: the next request at once)."""
    samples: dict[str, list[float]] = {}
    errors: dict[str, dict[str, int]] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user_loop(user: User) -> None:
        local: list[tuple[str, float, str | None]] = []
        if think is not None:
            # People don't all click in the same millisecond: each starts within one pause.
            time.sleep(user.rng.uniform(0, think[1]))
        while time.monotonic() < stop_at:
            endpoint = pick(user)
            conn, method, path, body = user.next_request(endpoint, today, types)
            started = time.perf_counter()
            try:
                status, _payload = conn.request(method, path, body)
                problem = None if status == EXPECTED.get(endpoint, 200) else str(status)
            except (OSError, http.client.HTTPException) as exc:
                problem = type(exc).__name__
            local.append((endpoint, time.perf_counter() - started, problem))
            if think is not None:
                time.sleep(min(user.rng.uniform(*think), max(0.0, stop_at - time.monotonic())))
        with lock:
            for endpoint, elapsed, problem in local:
                samples.setdefault(endpoint, []).append(elapsed)
                if problem:
                    errors.setdefault(endpoint, {}).setdefault(problem, 0)
                    errors[endpoint][problem] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=user_loop, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"samples": samples, "errors": errors, "seconds": elapsed}


def run(*, scale: int = 1) -> dict:
    if not city.pg():
        return {
            "skipped": "PostgreSQL only: gunicorn's processes share the database "
            "(set DATABASE_URL to a PostgreSQL database)."
        }
    factor = min(1.0, LOAD_FACTOR * scale)
    started = time.perf_counter()
    generated = city.generate(factor=factor)
    figures: dict = {
        "scale_note": f"city generator at factor {factor}",
        **generated.counts(),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    started = time.perf_counter()
    # Tables as autovacuum leaves them and the bulk load's pages on disk: otherwise the vacuum
    # of a million fresh rows and the checkpoint that writes them out run during the load.
    city.execute("VACUUM ANALYZE")
    with contextlib.suppress(DatabaseError):  # CHECKPOINT needs a superuser or pg_checkpoint
        city.execute("CHECKPOINT")
    figures["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    search.index_build(workers=2)
    search.forget_index()
    figures["directory_index_seconds"] = round(time.perf_counter() - started, 1)

    rng = random.Random(2026)
    queries = _queries()
    boroughs = sorted({o.borough_id for o in generated.organizations})
    users = [
        User(i, generated.organizations[i % len(generated.organizations)], rng, queries, boroughs)
        for i in range(USERS)
    ]
    today = timezone.localdate().isoformat()
    types = generated.service_types
    records_before = ServiceRecord.objects.count()
    attendance_before = Attendance.objects.count()

    server = Server()
    try:
        # Warm every worker's search index under concurrency, not measured (the directory's
        # index and encoder load on a worker's first search).
        _drive(users, 5, lambda _u: "search", today, types)
        # Each endpoint alone, one request after the other.
        alone = {}
        for endpoint, _weight in MIX:
            samples = []
            for i in range(ALONE + WARM_UP_ALONE):
                conn, method, path, body = users[i % USERS].next_request(endpoint, today, types)
                started = time.perf_counter()
                status, payload = conn.request(method, path, body)
                if i >= WARM_UP_ALONE:
                    samples.append(time.perf_counter() - started)
                assert status == EXPECTED[endpoint], (endpoint, path, status, _errors(payload))
            alone[endpoint] = _percentiles(samples)

        floor = _drive(users, FLOOR_DURATION, lambda _u: "health", today, types)
        names = [name for name, _w in MIX]
        weights = [w for _n, w in MIX]
        mixed = lambda u: u.rng.choices(names, weights)[0]  # noqa: E731
        load = _drive(users, DURATION, mixed, today, types, think=THINK_SECONDS)
        saturated = _drive(users, SATURATION_DURATION, mixed, today, types)
    finally:
        server.stop()

    total = sum(len(s) for s in load["samples"].values())
    errors = sum(sum(e.values()) for e in load["errors"].values())
    floor_samples = floor["samples"].get("health", [])
    figures.update(
        {
            "server": f"gunicorn gthread {WORKERS} workers x {THREADS} threads, DEBUG off",
            "users": USERS,
            "duration_seconds": round(load["seconds"], 1),
            "requests": total,
            "throughput_rps": round(total / load["seconds"], 1),
            "errors": errors,
            "errors_by_endpoint": load["errors"],
            "target_p95_ms": TARGET_P95_MS,
        }
    )
    floor_figures = _percentiles(floor_samples)
    figures["floor_healthz"] = {
        **floor_figures,
        "throughput_rps": round(len(floor_samples) / floor["seconds"], 1),
        "errors": sum(sum(e.values()) for e in floor["errors"].values()),
    }
    for endpoint, _weight in MIX:
        measured = _percentiles(load["samples"].get(endpoint, []))
        measured["p95_within_target"] = measured.get("p95_ms", 0) <= TARGET_P95_MS
        measured["floor_alone"] = alone[endpoint]
        if measured["n"]:
            measured["ratio_p95_to_alone_p95"] = round(
                measured["p95_ms"] / max(alone[endpoint]["p95_ms"], 0.1), 1
            )
            measured["ratio_p95_to_healthz_p95"] = round(
                measured["p95_ms"] / max(floor_figures.get("p95_ms", 0.1), 0.1), 1
            )
        figures[f"endpoint_{endpoint}"] = measured
    sat_total = sum(len(v) for v in saturated["samples"].values())
    figures["saturated_no_think_time"] = {
        "duration_seconds": round(saturated["seconds"], 1),
        "requests": sat_total,
        "throughput_rps": round(sat_total / saturated["seconds"], 1),
        "errors": sum(sum(e.values()) for e in saturated["errors"].values()),
        **{endpoint: _percentiles(saturated["samples"].get(endpoint, [])) for endpoint, _w in MIX},
    }
    figures["service_records_written"] = ServiceRecord.objects.count() - records_before
    figures["attendance_rows_written"] = Attendance.objects.count() - attendance_before
    figures["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    figures["cpu_count"] = os.cpu_count()
    return figures
