"""Territory staff are emailed when an organisation validates an assessment, unless they turned it off
in « Mon compte »."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from accounts.enums import Role
from accounts.models import User
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from referentiel.services import AssessmentError, submit_assessment

from .test_results import answered_assessment, make_organisation, make_user


def staff_member(email, role=Role.STAFF, **fields):
    return User.objects.create_user(email, "Mot-de-passe-42", role=role, first_name="Léa", last_name="Roux", **fields)


def test_staff_who_want_it_get_one_email_each_when_an_organisation_validates(in_a, queued_emails):
    staff_member("lea@a.example")
    staff_member("muted@a.example", notify_submissions=False)
    participant = make_user()
    organisation = make_organisation(member=participant)
    assessment = answered_assessment(organisation, participant)
    before = {tuple(email.recipients) for email in queued_emails(in_a)}

    submit_assessment(assessment, participant)

    emails = [email for email in queued_emails(in_a) if tuple(email.recipients) not in before]
    # The territory's admin (provisioned with it) and the staff member; not the one who turned it off.
    assert sorted(email.recipients[0] for email in emails) == ["admin@a.example", "lea@a.example"]
    email = next(email for email in emails if email.recipients == ["lea@a.example"])
    assert email.subject == "Boulangerie du Clain a validé son auto-évaluation"
    assert f"http://territoire-a.localhost:8000/gestion/auto-evaluations/{assessment.pk}/" in email.body
    assert "score" in email.body and "sur 100" in email.body
    assert "http://territoire-a.localhost:8000/mon-compte/" in email.body  # how to turn it off
    assert "Recevoir un courriel quand une organisation valide son auto-évaluation" in email.body
    assert email.html_body  # an HTML part as well


def test_a_refused_submission_sends_nothing(in_a, queued_emails):
    staff_member("lea@a.example")
    participant = make_user()
    submitted = submit_assessment(answered_assessment(make_organisation(member=participant), participant), participant)
    count = len(queued_emails(in_a))

    with pytest.raises(AssessmentError):
        submit_assessment(submitted, participant)  # already validated

    assert len(queued_emails(in_a)) == count


def test_territory_b_staff_never_hear_of_a_submission_in_a(in_a, territory_b, queued_emails):
    with schema_context(territory_b.schema_name):
        staff_member("equipe@b.example")
    connection.set_tenant(in_a)
    participant = make_user()
    submit_assessment(answered_assessment(make_organisation(member=participant), participant), participant)

    assert queued_emails(territory_b) == []
    assert all("equipe@b.example" not in email.recipients for email in queued_emails(in_a))


def test_staff_turn_the_email_off_in_their_account_page(in_a, client_a):
    lea = staff_member("lea@a.example")
    client_a.force_login(lea)

    page = client_a.get("/mon-compte/").content.decode()
    assert "Mes courriels" in page
    checkbox = page[page.index('name="notify_submissions"') - 200 :][:400]
    assert "checked" in checkbox

    response = client_a.post("/mon-compte/", {"action": "notifications"})

    assert response.status_code == 302
    lea.refresh_from_db()
    assert not lea.notify_submissions
    assert lea.first_name == "Léa"  # the names' form was not the one posted
    client_a.post("/mon-compte/", {"action": "notifications", "notify_submissions": "on"})
    lea.refresh_from_db()
    assert lea.notify_submissions


def test_participants_have_no_such_setting(in_a, client_a):
    client_a.force_login(make_user())
    assert "Mes courriels" not in client_a.get("/mon-compte/").content.decode()


def test_demo_history_emails_nobody(in_a, queued_emails):
    from organisations.demo import seed_organisations
    from referentiel.demo import seed_demo_assessments

    staff_member("lea@a.example")
    seed_demo_assessments(in_a, seed_organisations(in_a, "Mot-de-passe-42"))

    assert Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).exists()
    assert not [email for email in queued_emails(in_a) if "a validé son auto-évaluation" in email.subject]
