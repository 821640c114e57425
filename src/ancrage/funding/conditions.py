"""The declarative language of eligibility rules: its schema, its check, its plain-words reading.

A rule's conditions are one JSON document; every condition must hold ("all"):

    {"all": [
        {"status_in": ["permanent-resident", "refugee"]},
        {"years_since_max": 5, "since": "arrived_quebec"},
        {"age_min": 16},
        {"age_max": 64},
        {"lives_in_quebec": true},
        {"borough_in": ["lasalle", "montreal-nord"]}
    ]}

- `status_in`: the immigration status (codes of `core.ImmigrationStatus`) is one of these.
- `years_since_max` with `since` = `arrived_quebec` (default), `arrived_canada` or `status_since`:
  at most N whole years between that date and the service date, the N-th anniversary included
  (arrived 2021-03-10 → still within 5 years on 2026-03-10, no longer on 2026-03-11).
- `age_min` / `age_max`: age in whole years on the service date (both bounds included).
- `lives_in_quebec`: true — the person lives in Québec.
- `borough_in`: the person lives in one of these Montréal boroughs (codes of `core.Borough`).

An empty list (`{"all": []}`) means the program is open to everyone. Each kind appears at most
once; there is no "or" between conditions on purpose: the staff form edits exactly this shape.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ancrage.core.models import Borough, ImmigrationStatus
from ancrage.core.translated import pick

SINCE_CHOICES = ("arrived_quebec", "arrived_canada", "status_since")
KINDS = ("status_in", "years_since_max", "age_min", "age_max", "lives_in_quebec", "borough_in")
# Keys a condition may carry besides its kind.
OPTIONS = {"years_since_max": {"since"}}
MAX_CODES = 60
MAX_YEARS = 50
MAX_AGE = 130
EMPTY: dict[str, list] = {"all": []}


def _error(message: str) -> ValidationError:
    return ValidationError({"conditions": [message]})


def _integer(value: Any, kind: str, low: int, high: int) -> int:
    # bool is an int in Python: `{"age_min": true}` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _error(
            _("“%(kind)s” must be a whole number from %(low)s to %(high)s.")
            % {"kind": kind, "low": low, "high": high}
        )
    return value


def _codes(value: Any, kind: str, model: type, label: str) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_CODES
        or not all(isinstance(code, str) and 0 < len(code) <= 40 for code in value)
    ):
        raise _error(_("“%(kind)s” must be a non-empty list of codes.") % {"kind": kind})
    codes = list(dict.fromkeys(value))
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise _error(
            _("Unknown %(what)s: %(codes)s.") % {"what": label, "codes": ", ".join(unknown)}
        )
    return codes


def conditions_check(conditions: Any) -> dict[str, list[dict[str, Any]]]:
    """The conditions, checked and normalized (codes de-duplicated); ValidationError otherwise.

    Errors are keyed "conditions" and say what is wrong in plain words.
    """
    if not isinstance(conditions, dict) or set(conditions) != {"all"}:
        raise _error(_('The conditions must be a JSON object of the form {"all": [...]}.'))
    items = conditions["all"]
    if not isinstance(items, list):
        raise _error(_("“all” must be a list of conditions."))
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            raise _error(_("Each condition must be a JSON object."))
        kinds = [key for key in item if key in KINDS]
        if len(kinds) != 1:
            raise _error(
                _("Each condition must have exactly one of: %(kinds)s.")
                % {"kinds": ", ".join(KINDS)}
            )
        kind = kinds[0]
        extra = set(item) - {kind} - OPTIONS.get(kind, set())
        if extra:
            raise _error(
                _("Unknown option for “%(kind)s”: %(options)s.")
                % {"kind": kind, "options": ", ".join(sorted(map(str, extra)))}
            )
        if kind in seen:
            raise _error(_("“%(kind)s” appears twice; give it once.") % {"kind": kind})
        seen.add(kind)
        value = item[kind]
        if kind == "status_in":
            checked.append({kind: _codes(value, kind, ImmigrationStatus, _("immigration status"))})
        elif kind == "borough_in":
            checked.append({kind: _codes(value, kind, Borough, _("borough"))})
        elif kind == "years_since_max":
            since = item.get("since", "arrived_quebec")
            if since not in SINCE_CHOICES:
                raise _error(
                    _("“since” must be one of: %(choices)s.")
                    % {"choices": ", ".join(SINCE_CHOICES)}
                )
            checked.append({kind: _integer(value, kind, 0, MAX_YEARS), "since": since})
        elif kind in ("age_min", "age_max"):
            checked.append({kind: _integer(value, kind, 0, MAX_AGE)})
        elif kind == "lives_in_quebec":
            if value is not True:
                raise _error(_("“lives_in_quebec” can only be true."))
            checked.append({kind: True})
    bounds = {
        kind: item[kind] for item in checked for kind in ("age_min", "age_max") if kind in item
    }
    if bounds.get("age_min", 0) > bounds.get("age_max", MAX_AGE):
        raise _error(_("The minimum age is above the maximum age: nobody could be eligible."))
    return {"all": checked}


def kind_of(condition: dict[str, Any]) -> str:
    return next(key for key in condition if key in KINDS)


def names_of(model: type, codes: list[str]) -> list[str]:
    """Display names of reference codes, in the reader's language, in the order given."""
    names = dict(model.objects.filter(code__in=codes).values_list("code", "names"))
    return [pick(names.get(code)) or code for code in codes]


def describe(conditions: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rule in plain words, one line per condition (for the staff pages)."""
    lines = []
    for condition in conditions.get("all", []):
        kind = kind_of(condition)
        value = condition[kind]
        if kind == "status_in":
            lines.append(
                _("Immigration status is one of: %(names)s.")
                % {"names": ", ".join(names_of(ImmigrationStatus, value))}
            )
        elif kind == "borough_in":
            lines.append(
                _("Lives in one of these boroughs: %(names)s.")
                % {"names": ", ".join(names_of(Borough, value))}
            )
        elif kind == "years_since_max":
            since = condition.get("since", "arrived_quebec")
            templates = {
                "arrived_quebec": ngettext(
                    "Arrived in Québec at most %(years)s year before the service date.",
                    "Arrived in Québec at most %(years)s years before the service date.",
                    value,
                ),
                "arrived_canada": ngettext(
                    "Arrived in Canada at most %(years)s year before the service date.",
                    "Arrived in Canada at most %(years)s years before the service date.",
                    value,
                ),
                "status_since": ngettext(
                    "Status obtained at most %(years)s year before the service date.",
                    "Status obtained at most %(years)s years before the service date.",
                    value,
                ),
            }
            lines.append(templates[since] % {"years": value})
        elif kind == "age_min":
            lines.append(_("Aged at least %(age)s on the service date.") % {"age": value})
        elif kind == "age_max":
            lines.append(_("Aged at most %(age)s on the service date.") % {"age": value})
        elif kind == "lives_in_quebec":
            lines.append(_("Lives in Québec."))
    return lines or [_("Open to everyone: no condition.")]
