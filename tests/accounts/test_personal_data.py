"""« Mon compte »: download my data, delete my account, and nothing personal left behind."""

import json

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.db.models import CASCADE, SET_NULL
from django.test import Client
from psycopg import sql

from accounts.enums import Role
from accounts.models import User
from accounts.personal_data import rate_limit_keys
from organisations.enums import JoinRequestStatus, MembershipRole
from organisations.models import Invitation, JoinRequest, Membership, Organisation
from organisations.services import decide_join_request, invite_member, request_to_join
from referentiel.models import Answer, Assessment
from referentiel.services import start_assessment

from ..conftest import TERRITORY_A, TERRITORY_B
from ..referentiel.test_questionnaire import PASSWORD, answer, first_choice, member_of, organisation_for, participant

COMMENT = "Voir le compte rendu du CODIR de Camille"


def user_sessions(user):
    store = Session.get_session_store_class()()
    return [
        s.session_key
        for s in Session.objects.all()
        if store.decode(s.session_data).get("_auth_user_id") == str(user.pk)
    ]


def logged_in_client(host, user):
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


@pytest.fixture
def camille(in_a):
    """A member (not the only owner) who answered, commented, invited, asked to join and decided a request."""
    user = participant("camille@example.org")
    owner = participant("dominique@example.org")
    organisation = organisation_for(owner, name="Menuiserie du Clain")
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
    assessment = start_assessment(organisation, user)
    answer(assessment, "PIL-01", user, choice_ids=(first_choice("PIL-01").pk,), comment=COMMENT)
    invite_member(organisation, user, "claude@example.org")
    other = organisation_for(participant("eden@example.org"), name="Ferme des Buttes", headcount_band="01")
    request_to_join(other, user, "Je travaille avec vous sur le compost.")
    asker = participant("farid@example.org")
    decide_join_request(request_to_join(organisation, asker), user, accept=True)
    invite_member(other, other.memberships.get().user, "camille@example.org")
    EmailConfirmation.create(EmailAddress.objects.get(user=user)).save()
    return user


# -- the account page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/mon-compte/", "/mon-compte/mes-donnees.json", "/mon-compte/supprimer/"])
def test_account_pages_need_a_login(db, client_a, url):
    response = client_a.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_header_email_links_to_the_account_page(in_a, client_a):
    client_a.force_login(participant())
    page = client_a.get("/mon-espace/").content.decode()
    assert 'href="/mon-compte/"' in page
    account = client_a.get("/mon-compte/").content.decode()
    assert "Télécharger mes données (JSON)" in account
    assert 'href="/mon-compte/supprimer/"' in account


def test_personal_data_page_links_the_rights_to_the_account_page(in_a, client_a):
    client_a.force_login(participant())
    page = client_a.get("/donnees-personnelles/").content.decode()
    assert 'href="/mon-compte/"' in page
    assert "téléchargez toutes vos données" in page
    assert "supprimez votre compte" in page


# -- download ---------------------------------------------------------------------------------------------------------


def test_export_holds_the_account_memberships_answers_invitations_and_join_requests(camille, client_a):
    client_a.force_login(camille)

    response = client_a.get("/mon-compte/mes-donnees.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "camille@example.org"
    assert data["account"]["email_addresses"] == [{"email": "camille@example.org", "verified": True, "primary": True}]
    assert [(m["organisation"], m["role"]) for m in data["memberships"]] == [("Menuiserie du Clain", "owner")]
    [given] = data["answers"]
    assert given["question"] == "PIL-01"
    assert given["comment"] == COMMENT
    assert given["choices"] == [first_choice("PIL-01").label]
    assert [a["organisation"] for a in data["assessments_started"]] == ["Menuiserie du Clain"]
    assert [i["email"] for i in data["invitations_sent"]] == ["claude@example.org"]
    assert [i["organisation"] for i in data["invitations_received"]] == ["Ferme des Buttes"]
    [join] = data["join_requests"]
    assert (join["organisation"], join["message"], join["status"]) == (
        "Ferme des Buttes",
        "Je travaille avec vous sur le compost.",
        "pending",
    )
    # Other people's data is not theirs to download.
    assert "dominique@example.org" not in response.content.decode()
    assert "farid@example.org" not in response.content.decode()


def test_export_holds_the_event_registrations_their_opinion_and_the_refusal_of_invitations(camille, client_a):
    from events.models import Feedback, InvitationOptOut, Registration
    from tests.events.factories import EventFactory

    organisation = camille.memberships.get().organisation
    event = EventFactory(title="Atelier mobilité")
    registration = Registration.objects.create(
        event=event, user=camille, organisation=organisation, status="confirmed", attendance="present"
    )
    Feedback.objects.create(registration=registration, satisfaction=4, keep="Les échanges", change="L'horaire")
    InvitationOptOut.objects.create(user=camille)
    client_a.force_login(camille)

    data = json.loads(client_a.get("/mon-compte/mes-donnees.json").content)

    [registered] = data["event_registrations"]
    assert (registered["event"], registered["organisation"], registered["attendance"]) == (
        "Atelier mobilité",
        "Menuiserie du Clain",
        "present",
    )
    assert registered["opinion"] == {"satisfaction": 4, "keep": "Les échanges", "change": "L'horaire"}
    assert data["event_invitations_refused"] is True


# -- deletion ---------------------------------------------------------------------------------------------------------

# Every foreign key to the user in every app, and what deleting the user does to it. A new one fails
# this table: decide what it means for a person's data, then add it here and to accounts/personal_data.py.
FOREIGN_KEYS_TO_USER = {
    ("account", "EmailAddress", "user"): CASCADE,
    ("admin", "LogEntry", "user"): CASCADE,
    ("accounts", "User_groups", "user"): CASCADE,
    ("accounts", "User_user_permissions", "user"): CASCADE,
    ("organisations", "Organisation", "created_by"): SET_NULL,
    ("organisations", "Organisation", "accepted_by"): SET_NULL,
    ("organisations", "Membership", "user"): CASCADE,
    ("organisations", "Invitation", "invited_by"): SET_NULL,
    ("organisations", "JoinRequest", "user"): CASCADE,
    ("organisations", "JoinRequest", "decided_by"): SET_NULL,
    ("referentiel", "ReferentialVersion", "created_by"): SET_NULL,
    ("referentiel", "ReferentialVersion", "published_by"): SET_NULL,
    ("referentiel", "Assessment", "started_by"): SET_NULL,
    ("referentiel", "Assessment", "submitted_by"): SET_NULL,
    ("referentiel", "Answer", "answered_by"): SET_NULL,
    ("toolbox", "PlanItem", "owner"): SET_NULL,
    ("toolbox", "PlanItem", "completed_by"): SET_NULL,
    ("toolbox", "PlanItem", "created_by"): SET_NULL,
    ("toolbox", "PlanStep", "done_by"): SET_NULL,
    ("toolbox", "PlanNote", "author"): SET_NULL,
    ("toolbox", "PcaetProgramme", "imported_by"): SET_NULL,
    ("accounts", "TeamInvitation", "user"): CASCADE,
    ("accounts", "TeamInvitation", "invited_by"): SET_NULL,
    ("events", "Event", "created_by"): SET_NULL,
    ("events", "Registration", "user"): CASCADE,
    ("events", "Registration", "registered_by"): SET_NULL,
    ("events", "EventInvitation", "invited_by"): SET_NULL,
    ("events", "InvitationOptOut", "user"): CASCADE,
    ("reports", "ReportJob", "requested_by"): SET_NULL,
}


def foreign_keys_to_user():
    return {
        (model._meta.app_label, model.__name__, field.name): field
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }


def test_every_foreign_key_to_the_user_is_accounted_for():
    found = foreign_keys_to_user()
    assert set(found) == set(FOREIGN_KEYS_TO_USER)
    for key, field in found.items():
        assert field.remote_field.on_delete is FOREIGN_KEYS_TO_USER[key], key


def rows_naming(email):
    """(table, column) of every text column of the current schema holding `email`, whatever its case."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')"
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE {} ILIKE %s").format(
                    sql.Identifier(table), sql.Identifier(column)
                ),
                [f"%{email}%"],
            )
            if cursor.fetchone()[0]:
                found.append((table, column))
    return found


def test_deleting_an_account_leaves_nothing_personal_behind(camille, django_capture_on_commit_callbacks):
    user_id = camille.pk
    browser = logged_in_client(TERRITORY_A.domain, camille)
    phone = logged_in_client(TERRITORY_A.domain, camille)
    phone.get("/mon-espace/")
    sessions = user_sessions(camille)
    assert len(sessions) == 2
    assert cache.get(SESSION_CACHE_PREFIX + sessions[0]) is not None
    # A failed login and a password-reset request leave allauth counters keyed by the account.
    Client(HTTP_HOST=TERRITORY_A.domain).post("/comptes/login/", {"login": camille.email, "password": "faux"})
    Client(HTTP_HOST=TERRITORY_A.domain).post("/comptes/password/reset/", {"email": camille.email})
    counters = rate_limit_keys(user_id, camille.email, TERRITORY_A.domain)
    assert sum(cache.get(key) is not None for key in counters) == 2
    assert rows_naming("camille@example.org")  # the check below can see them

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/mon-compte/supprimer/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    # Rows: nothing refers to the account, nothing holds its email.
    assert not User.objects.filter(pk=user_id).exists()
    for (app_label, model_name, _name), field in foreign_keys_to_user().items():
        model = field.model
        if app_label in ("admin", "account", "accounts", "organisations", "referentiel"):
            assert not model.objects.filter(**{field.attname: user_id}).exists(), (model_name, field.name)
    assert rows_naming("camille@example.org") == []
    assert not EmailConfirmation.objects.exists()
    # Sessions: the database rows and their cached copies are gone; both devices are logged out.
    assert user_sessions(User(pk=user_id)) == []
    assert all(cache.get(SESSION_CACHE_PREFIX + key) is None for key in sessions)
    assert phone.get("/mon-espace/").status_code == 302
    # Cache: allauth's counters about the account are dropped.
    assert all(cache.get(key) is None for key in counters)
    # What was given to the organisation stays with it, without the name.
    organisation = Organisation.objects.get(name="Menuiserie du Clain")
    kept = Answer.objects.get(assessment__organisation=organisation)
    assert (kept.answered_by_id, kept.comment) == (None, COMMENT)
    assert Assessment.objects.get(organisation=organisation).started_by_id is None
    assert Invitation.objects.get(email="claude@example.org").invited_by_id is None
    assert JoinRequest.objects.get(user__email="farid@example.org").decided_by_id is None
    assert organisation.memberships.filter(role=MembershipRole.OWNER).count() == 1
    assert not JoinRequest.objects.filter(status=JoinRequestStatus.PENDING).exists()


def test_a_wrong_password_deletes_nothing(camille, client_a):
    client_a.force_login(camille)

    response = client_a.post("/mon-compte/supprimer/", {"password": "pas-le-bon"})

    assert response.status_code == 200
    assert "Ce mot de passe n&#x27;est pas celui de votre compte." in response.content.decode()
    assert User.objects.filter(pk=camille.pk).exists()
    assert len(user_sessions(camille)) == 1


def test_an_account_without_password_confirms_with_its_email(in_a, client_a):
    staff = User.objects.create_user("equipe@a.example", role=Role.STAFF)
    staff.set_unusable_password()
    staff.save()
    client_a.force_login(staff)

    assert client_a.post("/mon-compte/supprimer/", {"email": "autre@a.example"}).status_code == 200
    assert User.objects.filter(pk=staff.pk).exists()
    response = client_a.post("/mon-compte/supprimer/", {"email": " Equipe@A.example "})

    assert response.status_code == 302
    assert not User.objects.filter(pk=staff.pk).exists()


def test_the_last_owner_hands_the_organisation_over_first(in_a, client_a):
    owner = participant()
    organisation = organisation_for(owner, name="Atelier Vélo")
    colleague = member_of(organisation, "sacha@example.org")
    client_a.force_login(owner)

    page = client_a.get("/mon-compte/supprimer/").content.decode()
    refused = client_a.post("/mon-compte/supprimer/", {"password": PASSWORD})

    assert "Atelier Vélo" in page
    assert f'href="/organisations/{organisation.pk}/supprimer/"' in page
    assert 'name="password"' not in page
    assert refused.status_code == 200
    assert User.objects.filter(pk=owner.pk).exists()

    Membership.objects.filter(user=colleague).update(role=MembershipRole.OWNER)
    response = client_a.post("/mon-compte/supprimer/", {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=owner.pk).exists()
    assert list(organisation.memberships.values_list("user", flat=True)) == [colleague.pk]


def test_the_service_refuses_the_last_owner_too(in_a):
    from accounts.personal_data import delete_account
    from accounts.services import AccountError

    owner = participant()
    organisation_for(owner, name="Atelier Vélo")

    with pytest.raises(AccountError, match="Atelier Vélo"):
        delete_account(owner)
    assert User.objects.filter(pk=owner.pk).exists()


def test_the_last_territory_admin_cannot_delete_their_account(in_a, client_a):
    admin = User.objects.get(email=TERRITORY_A.admin_email)
    client_a.force_login(admin)

    page = client_a.get("/mon-compte/supprimer/").content.decode()
    client_a.post("/mon-compte/supprimer/", {"email": admin.email})

    assert "Vous administrez seul·e le territoire" in page
    assert User.objects.filter(pk=admin.pk).exists()


def test_the_service_refuses_the_last_territory_admin_too(in_a):
    from accounts.personal_data import delete_account
    from accounts.services import AccountError

    admin = User.objects.get(email=TERRITORY_A.admin_email)

    with pytest.raises(AccountError, match="Vous administrez seul·e le territoire"):
        delete_account(admin)
    User.objects.create_user("seconde@a.example", role=Role.ADMIN)
    delete_account(admin)
    assert not User.objects.filter(pk=admin.pk).exists()


def test_expired_sessions_are_cleared_in_every_territory(db, territory_a, territory_b):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import clear_expired_sessions

    def new_session(territory, days):
        connection.set_tenant(territory)
        store = Session.get_session_store_class()()
        store["_auth_user_id"] = "1"
        store.set_expiry(timezone.now() + timedelta(days=days))
        store.create()
        return store.session_key

    expired_a, live_a, expired_b = (
        new_session(territory_a, -1),
        new_session(territory_a, 3),
        new_session(territory_b, -2),
    )
    connection.set_schema_to_public()

    deleted = clear_expired_sessions()

    assert deleted[territory_a.schema_name] >= 1
    assert deleted[territory_b.schema_name] >= 1
    connection.set_tenant(territory_b)
    assert not Session.objects.filter(session_key=expired_b).exists()
    connection.set_tenant(territory_a)
    assert set(Session.objects.filter(session_key__in=[expired_a, live_a]).values_list("session_key", flat=True)) == {
        live_a
    }


# -- isolation --------------------------------------------------------------------------------------------------------


def test_a_user_of_another_territory_with_the_same_id_exports_and_deletes_only_their_own(
    camille, territory_a, territory_b, django_capture_on_commit_callbacks
):
    logged_in_client(TERRITORY_A.domain, camille)
    a_sessions = user_sessions(camille)
    connection.set_tenant(territory_b)
    twin = User.objects.create_user("alix@b.example", PASSWORD, id=camille.pk)
    EmailAddress.objects.create(user=twin, email=twin.email, verified=True, primary=True)
    client_b = logged_in_client(TERRITORY_B.domain, twin)

    exported = client_b.get("/mon-compte/mes-donnees.json")
    data = json.loads(exported.content)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client_b.post("/mon-compte/supprimer/", {"password": PASSWORD})

    assert data["account"]["email"] == "alix@b.example"
    assert (data["memberships"], data["answers"], data["invitations_sent"]) == ([], [], [])
    assert "camille" not in exported.content.decode()
    assert deleted.status_code == 302
    assert not User.objects.filter(pk=twin.pk).exists()
    connection.set_tenant(territory_a)
    assert User.objects.filter(pk=camille.pk, email="camille@example.org").exists()
    assert Membership.objects.filter(user_id=camille.pk).count() == 1
    assert Answer.objects.filter(answered_by_id=camille.pk).count() == 1
    assert user_sessions(camille) == a_sessions
    assert all(cache.get(SESSION_CACHE_PREFIX + key) is not None for key in a_sessions)
