"""The quick `<select>` of choices by id: the same markup as Django's, choices escaped."""

import re

import pytest
from django import forms

from ancrage.core.forms import IdChoiceField, ListSelect
from ancrage.core.models import Borough


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


CHOICES = [("", "Tous"), (1, "Côte-des-Neiges & Notre-Dame"), (2, '<script>alert("x")</script>')]
GROUPED = [("Bibliothèques", [(1, "Lachine"), (2, "Saint-Laurent")]), (3, "Ailleurs")]


@pytest.mark.parametrize("value", [None, "", "1", 2, "999"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_borough", "aria-invalid": "true", "aria-describedby": "id_borough_error"},
        {"id": "id_borough", "required": True, "disabled": False, "data-note": 'a "b" <c>'},
    ],
)
def test_the_markup_is_djangos(value, attrs):
    ours = ListSelect(choices=CHOICES).render("borough", value, attrs)
    assert _markup(ours) == _markup(forms.Select(choices=CHOICES).render("borough", value, attrs))


def test_option_groups_are_djangos():
    ours = ListSelect(choices=GROUPED).render("site", "2", {"id": "id_site"})
    assert _markup(ours) == _markup(
        forms.Select(choices=GROUPED).render("site", "2", {"id": "id_site"})
    )
    assert '<optgroup label="Bibliothèques">' in ours


def test_a_label_is_text_never_markup():
    html = ListSelect(choices=CHOICES).render("borough", "2", None)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'value="2" selected' in html


@pytest.mark.django_db
def test_choices_by_id_use_it_and_keep_the_chosen_one_selected():
    borough = Borough.objects.create(code="zz", names={"fr": "Arrondissement « test »"})

    class Filters(forms.Form):
        borough = IdChoiceField(queryset=Borough.objects.all(), required=False)

    html = str(Filters({"borough": str(borough.pk)})["borough"])
    assert isinstance(Filters.base_fields["borough"].widget, ListSelect)
    assert f'<option value="{borough.pk}" selected>Arrondissement « test »</option>' in html
