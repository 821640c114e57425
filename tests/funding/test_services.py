"""Writing programs and rule versions: closing the previous version, refusing overlaps and
malformed conditions — a refusal changes nothing — and auditing every write."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ancrage.core.models import AuditEvent
from ancrage.funding import services
from ancrage.funding.conditions import conditions_check, describe
from ancrage.funding.models import EligibilityRule, FundingProgram
from tests.funding.conftest import make_program

pytestmark = pytest.mark.django_db

PR_ONLY = {"all": [{"status_in": ["permanent-resident"]}]}


def _versions(program):
    return [(r.valid_from, r.valid_to) for r in program.rules.order_by("valid_from")]


def _snapshot():
    return (
        list(EligibilityRule.objects.order_by("pk").values_list("pk", "valid_from", "valid_to")),
        FundingProgram.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def program(funder, platform_admin):
    return make_program(funder, "pasi-1", actor=platform_admin)


def test_new_version_closes_the_open_one_the_day_before(program, platform_admin):
    first = services.rule_version_create(
        actor=platform_admin, program=program, valid_from=date(2020, 7, 1), conditions=PR_ONLY
    )
    second = services.rule_version_create(
        actor=platform_admin,
        program=program,
        valid_from=date(2024, 7, 1),
        conditions={"all": [{"status_in": ["permanent-resident", "temporary-worker"]}]},
        note="  Travailleurs temporaires ajoutés.  ",
    )
    assert _versions(program) == [(date(2020, 7, 1), date(2024, 6, 30)), (date(2024, 7, 1), None)]
    assert (
        second.created_by == platform_admin and second.note == "Travailleurs temporaires ajoutés."
    )
    closing = AuditEvent.objects.get(action="change", target_id=str(first.pk))
    assert closing.details == {"valid_to": "2024-06-30"}
    created = AuditEvent.objects.get(action="create", target_id=str(second.pk))
    assert created.actor_id == platform_admin.pk
    assert created.organization_id == program.funder_id
    assert created.details["conditions"]["all"][0]["status_in"] == [
        "permanent-resident",
        "temporary-worker",
    ]


def test_a_closed_period_can_be_filled_in_before_the_first_version(program, platform_admin):
    services.rule_version_create(
        actor=platform_admin, program=program, valid_from=date(2020, 7, 1), conditions=PR_ONLY
    )
    services.rule_version_create(
        actor=platform_admin,
        program=program,
        valid_from=date(2019, 1, 1),
        valid_to=date(2020, 6, 30),
        conditions=PR_ONLY,
    )
    assert _versions(program) == [(date(2019, 1, 1), date(2020, 6, 30)), (date(2020, 7, 1), None)]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "overlapped"),
    [
        (date(2020, 7, 1), None, "2020-07-01 → 2023-12-31"),  # same start as a version
        (date(2020, 1, 1), None, "2020-07-01 → 2023-12-31"),  # open-ended, covers both
        (date(2020, 1, 1), date(2020, 7, 1), "2020-07-01 → 2023-12-31"),  # ends on its first day
        (date(2021, 1, 1), date(2021, 12, 31), "2020-07-01 → 2023-12-31"),  # inside it
        (date(2023, 6, 1), None, "2020-07-01 → 2023-12-31"),  # starts inside it
        (date(2024, 1, 1), None, "2024-01-01 → …"),  # same start as the open version
        (date(2023, 12, 1), date(2024, 1, 1), "2020-07-01 → 2023-12-31"),
    ],
)
def test_overlapping_versions_are_refused_and_nothing_changes(
    program, platform_admin, valid_from, valid_to, overlapped, english
):
    for start in (date(2020, 7, 1), date(2024, 1, 1)):
        services.rule_version_create(
            actor=platform_admin, program=program, valid_from=start, conditions=PR_ONLY
        )
    assert _versions(program) == [(date(2020, 7, 1), date(2023, 12, 31)), (date(2024, 1, 1), None)]
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.rule_version_create(
            actor=platform_admin,
            program=program,
            valid_from=valid_from,
            valid_to=valid_to,
            conditions=PR_ONLY,
        )
    assert (
        f"overlaps the version in force {overlapped}" in error.value.message_dict["valid_from"][0]
    )
    assert _snapshot() == before


def test_versions_of_different_programs_do_not_collide(funder, platform_admin):
    one = make_program(funder, "one", (date(2020, 1, 1), []), actor=platform_admin)
    two = make_program(funder, "two", (date(2020, 1, 1), []), actor=platform_admin)
    assert _versions(one) == _versions(two) == [(date(2020, 1, 1), None)]


def test_end_before_start_is_refused(program, platform_admin):
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.rule_version_create(
            actor=platform_admin,
            program=program,
            valid_from=date(2024, 7, 1),
            valid_to=date(2024, 6, 30),
            conditions=PR_ONLY,
        )
    assert "valid_to" in error.value.message_dict
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_from", date(1200, 1, 1)),
        ("valid_from", date(9999, 1, 1)),
        ("valid_to", "2025-01-01"),
    ],
)
def test_implausible_dates_are_refused(program, platform_admin, field, value):
    arguments = {"valid_from": date(2024, 7, 1), "valid_to": None, field: value}
    with pytest.raises(ValidationError) as error:
        services.rule_version_create(
            actor=platform_admin, program=program, conditions=PR_ONLY, **arguments
        )
    assert field in error.value.message_dict


MALFORMED = [
    ("not-a-dict", "[]", 'of the form {"all": [...]}'),
    ("string", '{"all": []}', 'of the form {"all": [...]}'),
    ("other-top-key", {"any": []}, 'of the form {"all": [...]}'),
    ("extra-top-key", {"all": [], "x": 1}, 'of the form {"all": [...]}'),
    ("all-not-list", {"all": {"age_min": 16}}, "must be a list"),
    ("condition-not-object", {"all": ["age_min"]}, "must be a JSON object"),
    ("unknown-kind", {"all": [{"income_max": 10}]}, "exactly one of"),
    ("two-kinds-in-one", {"all": [{"age_min": 16, "age_max": 20}]}, "exactly one of"),
    ("kind-twice", {"all": [{"age_min": 16}, {"age_min": 18}]}, "appears twice"),
    ("unknown-option", {"all": [{"age_min": 16, "unit": "months"}]}, "Unknown option"),
    (
        "unknown-status",
        {"all": [{"status_in": ["martian"]}]},
        "Unknown immigration status: martian",
    ),
    ("empty-status-list", {"all": [{"status_in": []}]}, "non-empty list"),
    ("status-not-list", {"all": [{"status_in": "refugee"}]}, "non-empty list"),
    ("huge-code", {"all": [{"status_in": ["x" * 10_000]}]}, "non-empty list"),
    ("unknown-borough", {"all": [{"borough_in": ["laval"]}]}, "Unknown borough: laval"),
    ("years-negative", {"all": [{"years_since_max": -1}]}, "whole number from 0 to 50"),
    ("years-decimal", {"all": [{"years_since_max": 4.5}]}, "whole number"),
    ("years-text", {"all": [{"years_since_max": "5"}]}, "whole number"),
    ("years-bool", {"all": [{"years_since_max": True}]}, "whole number"),
    ("since-unknown", {"all": [{"years_since_max": 5, "since": "birth"}]}, "“since” must be"),
    ("age-too-high", {"all": [{"age_min": 500}]}, "whole number from 0 to 130"),
    ("ages-inverted", {"all": [{"age_min": 30}, {"age_max": 20}]}, "nobody could be eligible"),
    ("lives-false", {"all": [{"lives_in_quebec": False}]}, "can only be true"),
]


@pytest.mark.parametrize(
    ("conditions", "words"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_conditions_are_refused_and_nothing_changes(
    program, platform_admin, english, conditions, words
):
    services.rule_version_create(
        actor=platform_admin, program=program, valid_from=date(2020, 7, 1), conditions=PR_ONLY
    )
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.rule_version_create(
            actor=platform_admin,
            program=program,
            valid_from=date(2024, 7, 1),
            conditions=conditions,
        )
    message = " ".join(error.value.message_dict["conditions"])
    assert words in message and len(message) < 400
    assert _snapshot() == before  # the open version was not closed either


def test_conditions_are_normalized():
    checked = conditions_check(
        {
            "all": [
                {"status_in": ["refugee", "refugee", "permanent-resident"]},
                {"years_since_max": 5},
            ]
        }
    )
    assert checked == {
        "all": [
            {"status_in": ["refugee", "permanent-resident"]},
            {"years_since_max": 5, "since": "arrived_quebec"},
        ]
    }


def test_conditions_read_in_plain_words(english):
    lines = describe(
        conditions_check(
            {
                "all": [
                    {"status_in": ["permanent-resident", "refugee"]},
                    {"years_since_max": 5, "since": "arrived_quebec"},
                    {"age_min": 16},
                    {"lives_in_quebec": True},
                    {"borough_in": ["montreal-nord"]},
                ]
            }
        )
    )
    assert lines == [
        "Immigration status is one of: Permanent resident, Refugee or protected person.",
        "Arrived in Québec at most 5 years before the service date.",
        "Aged at least 16 on the service date.",
        "Lives in Québec.",
        "Lives in one of these boroughs: Montréal-Nord.",
    ]
    assert describe({"all": []}) == ["Open to everyone: no condition."]


# --- Programs --------------------------------------------------------------------------------


def test_program_create_is_audited(funder, platform_admin):
    program = services.program_create(
        actor=platform_admin,
        funder=funder,
        code=" PASI-Stream-1 ",
        names={"fr": " PASI – Volet 1 ", "en": "PASI – Stream 1"},
        description={"fr": "Accompagnement", "en": ""},
    )
    assert program.code == "pasi-stream-1"
    assert program.names == {"fr": "PASI – Volet 1", "en": "PASI – Stream 1"}
    assert program.description == {"fr": "Accompagnement"}
    assert program.rules.count() == 0
    event = AuditEvent.objects.get(target_type="funding.fundingprogram", target_id=str(program.pk))
    assert event.action == "create" and event.organization_id == funder.pk


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"code": "pasi stream 1"}, "code"),
        ({"code": "<script>"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"code": ""}, "code"),
        ({"code": "taken"}, "code"),
        ({"names": {"fr": "Seulement en français"}}, "names"),
        ({"names": {"fr": "x" * 201, "en": "x"}}, "names"),
        ({"names": "PASI"}, "names"),
        ({"description": {"fr": "x" * 4001}}, "description"),
        ({"kind": "loan"}, "kind"),
    ],
)
def test_program_create_refuses_bad_input(funder, platform_admin, arguments, field):
    make_program(funder, "taken")
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.program_create(
            actor=platform_admin,
            funder=funder,
            **{"code": "new-program", "names": {"fr": "Nouveau", "en": "New"}, **arguments},
        )
    assert field in error.value.message_dict
    assert _snapshot() == before
