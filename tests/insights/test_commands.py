"""`ancrage insights-refresh`."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from ancrage.insights.models import OverlapSuggestion
from tests.insights.test_overlap import ENGLISH, FRENCH, _org_with_site, _service

pytestmark = pytest.mark.django_db


def test_refresh_all_then_one_service():
    french = _service(_org_with_site("lasalle", "A"), FRENCH)
    _service(_org_with_site("lasalle", "B"), ENGLISH)
    out = io.StringIO()
    call_command("insights-refresh", "--all", stdout=out)
    assert "created 1" in out.getvalue()
    assert OverlapSuggestion.objects.count() == 1
    out = io.StringIO()
    call_command("insights-refresh", "--service", str(french.pk), stdout=out)
    assert "found 1, created 0" in out.getvalue()


@pytest.mark.parametrize(
    "args", [[], ["--service", "not-a-uuid"], ["--service", str(uuid.uuid4())]]
)
def test_bad_arguments_are_clear_errors(args):
    with pytest.raises(CommandError):
        call_command("insights-refresh", *args)
