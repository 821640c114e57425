"""Pages of the funded projects: the organization's project, report and activities; the funder's
schedule, payments and the programme's figures; who gets a 403, a 404 or a 405."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from ancrage.activities.models import Attendance
from ancrage.core.choices import Role
from ancrage.grants import projects
from ancrage.grants.models import ProjectActivity
from tests import factories
from tests.grants.conftest import fund, make_application

pytestmark = pytest.mark.django_db


def test_the_organization_sees_its_project_and_submits_a_report(scheduled, applicant, client_of):
    client = client_of(applicant)
    assert escape(scheduled.title) in client.get(reverse("grants:my_projects")).content.decode()
    page = client.get(reverse("grants:project_detail", args=[scheduled.pk])).content.decode()
    assert "2025-10-30" in page and "120" in page
    report = scheduled.progress_reports.order_by("due_on").first()
    url = reverse("grants:project_report", args=[report.pk])
    row = scheduled.logic_model.get()
    response = client.post(url, {"narrative": "", f"indicator_{row.pk}": "abc"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tell what happened" in body or "Racontez" in body
    report.refresh_from_db()
    assert report.submitted_at is None
    response = client.post(url, {"narrative": "Vingt ateliers.", f"indicator_{row.pk}": "45"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.indicator_values == {str(row.pk): 45}
    page = client.get(url).content.decode()
    assert "Vingt ateliers." in page and "75" in page  # 45 of 60
    again = client.post(url, {"narrative": "Encore.", f"indicator_{row.pk}": "50"})
    assert again.status_code == 400
    report.refresh_from_db()
    assert report.narrative == "Vingt ateliers."


def test_linking_an_activity_of_another_organization_is_refused(
    project, applicant, applicant_org, other_applicant_org, client_of
):
    client = client_of(applicant)
    own = factories.ActivityFactory(organization=applicant_org)
    theirs = factories.ActivityFactory(
        organization=other_applicant_org, title={"fr": "Secret de l'autre", "en": "Other's secret"}
    )
    url = reverse("grants:project_activity_link", args=[project.pk])
    response = client.post(url, {"activity": theirs.pk})
    assert response.status_code == 400
    assert "Secret de l'autre" not in response.content.decode()
    assert not ProjectActivity.objects.exists()
    assert client.post(url, {"activity": own.pk}).status_code == 302
    link = ProjectActivity.objects.get()
    assert link.activity == own
    # Another organization's director cannot unlink it (404), the applicant can.
    other = client_of(factories.member(other_applicant_org, Role.DIRECTOR))
    unlink = reverse("grants:project_activity_unlink", args=[link.pk])
    assert other.post(unlink).status_code == 404
    assert client.get(unlink).status_code == 405
    assert client.post(unlink).status_code == 302
    assert not ProjectActivity.objects.exists()


def test_the_funder_sets_up_changes_and_pays(project, call_manager, client_of):
    client = client_of(call_manager)
    page = client.get(reverse("grants:funder_project", args=[project.pk])).content.decode()
    assert reverse("grants:project_setup", args=[project.pk]) in page
    assert client.get(reverse("grants:project_setup", args=[project.pk])).status_code == 405
    assert client.post(reverse("grants:project_setup", args=[project.pk])).status_code == 302
    assert project.instalments.count() == 5

    schedule = reverse("grants:project_schedule", args=[project.pk])
    assert client.get(schedule).status_code == 200
    bad = {
        "report_0": "2026-03-31",
        "instalment_0_due_on": "2025-05-01",
        "instalment_0_amount": "100000",
    }
    response = client.post(schedule, bad)
    assert response.status_code == 400
    assert "20 000.00" in response.content.decode()
    assert project.instalments.count() == 5
    good = {
        "report_0": "2026-03-31",
        "report_1": "2027-05-01",
        "instalment_0_due_on": "2025-05-01",
        "instalment_0_amount": "100000",
        "instalment_1_due_on": "2027-05-01",
        "instalment_1_amount": "20000",
        "instalment_1_condition": "Rapport final",
    }
    assert client.post(schedule, good).status_code == 302
    assert project.instalments.count() == 2 and project.progress_reports.count() == 2

    first = project.instalments.order_by("due_on").first()
    pay = reverse("grants:instalment_pay", args=[first.pk])
    assert client.post(pay, {f"pay-{first.pk}-paid_on": "2999-01-01"}).status_code == 400
    assert client.post(pay, {f"pay-{first.pk}-paid_on": "2025-05-02"}).status_code == 302
    first.refresh_from_db()
    assert first.paid_on == date(2025, 5, 2)
    listing = client.get(reverse("grants:call_projects", args=[project.call.pk])).content.decode()
    assert escape(project.title) in listing and "20" in listing


def test_the_programme_page_and_its_csv(project, call_manager, applicant, client_of):
    activity = factories.ActivityFactory(organization=project.organization)
    session = factories.SessionFactory(activity=activity)
    Attendance.objects.create(session=session, newcomers=2, total=2)
    projects.activity_link(actor=applicant, application=project, activity=activity)
    client = client_of(call_manager)
    page = client.get(reverse("grants:call_programme", args=[project.call.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "120" in body and ">x<" in body
    csv = client.get(reverse("grants:call_programme_csv", args=[project.call.pk]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "120000" in text and ",x" in text and ",2\r\n" not in text


@pytest.mark.parametrize(
    "name",
    ["grants:project_detail", "grants:project_report"],
)
def test_members_without_the_capability_get_403_other_organizations_404(
    name, scheduled, applicant_org, other_applicant, client_of
):
    pk = scheduled.pk if name == "grants:project_detail" else scheduled.progress_reports.first().pk
    url = reverse(name, args=[pk])
    worker = client_of(factories.member(applicant_org, Role.INTAKE_WORKER))
    assert worker.get(url).status_code == 403
    assert client_of(other_applicant).get(url).status_code == 404


def test_the_funders_reviewer_gets_403_and_another_funder_404(
    scheduled, reviewer, client_of, closed_call
):
    instalment = scheduled.instalments.first()
    other_funder = factories.member(factories.OrganizationFactory(kind="funder"), Role.COORDINATOR)
    for name, pk in (
        ("grants:funder_project", scheduled.pk),
        ("grants:project_schedule", scheduled.pk),
        ("grants:call_programme", closed_call.pk),
        ("grants:call_projects", closed_call.pk),
    ):
        url = reverse(name, args=[pk])
        assert client_of(reviewer).get(url).status_code == 403, name
        assert client_of(other_funder).get(url).status_code == 404, name
    pay = reverse("grants:instalment_pay", args=[instalment.pk])
    assert client_of(other_funder).post(pay, {}).status_code == 404
    instalment.refresh_from_db()
    assert instalment.paid_on is None


def test_a_project_not_funded_has_no_project_page(
    closed_call, applicant_org, applicant, call_manager, client_of
):
    submitted = make_application(closed_call, applicant_org, title="En attente")
    assert (
        client_of(applicant).get(reverse("grants:project_detail", args=[submitted.pk])).status_code
        == 404
    )
    assert (
        client_of(call_manager)
        .get(reverse("grants:funder_project", args=[submitted.pk]))
        .status_code
        == 404
    )
    funded = fund(make_application(closed_call, applicant_org, title="Oui"), {2025: Decimal("1")})
    assert (
        client_of(applicant).get(reverse("grants:project_detail", args=[funded.pk])).status_code
        == 200
    )
