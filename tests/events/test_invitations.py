"""Maturity-aware invitations: organisations whose weakest themes (latest submitted assessment) are the
event's are proposed, the email says why, nobody is invited twice, and the unsubscribe link works
without login and only in its own territory."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.enums import Role
from events import invitations
from events.enums import EventStatus
from events.models import EventInvitation, InvitationOptOut, Registration
from events.reminders import send_due_reminders
from organisations.enums import OrganisationKind
from toolbox.referential_links import published_referential

from ..conftest import TERRITORY_A
from ..same_ids import align_next_ids
from .factories import EventFactory, OrganisationFactory, UserFactory, member_of, register, submitted_assessment

BASE = "/gestion/evenements"
WEAK_IN_ENERGY = {"ENE": 20.0, "MOB": 55.0, "DEC": 60.0, "ALI": 80.0, "EAU": 90.0, "BIO": None}
STRONG_IN_ENERGY = {"ENE": 95.0, "MOB": 30.0, "DEC": 40.0, "ALI": 50.0, "EAU": 90.0}


@pytest.fixture
def staff(in_a):
    return UserFactory(role=Role.STAFF)


@pytest.fixture
def staff_client(client_a, staff):
    client_a.force_login(staff)
    return client_a


# ---- pure --------------------------------------------------------------------------------------------


def test_the_weakest_themes_leave_out_unevaluated_ones_and_break_ties_by_code():
    assert invitations.weakest_themes({"MOB": {"score": 10}, "ENE": {"score": 10}, "BIO": {"score": None}}, 3) == [
        "ENE",
        "MOB",
    ]


def test_an_organisation_matches_when_one_of_its_three_weakest_themes_is_the_event_s():
    assert invitations.match(["ENE"], {code: {"score": s} for code, s in WEAK_IN_ENERGY.items()}).themes == ("ENE",)
    assert (
        invitations.match(["DEC"], {code: {"score": s} for code, s in WEAK_IN_ENERGY.items()}).includes_weakest is False
    )
    assert invitations.match(["ALI"], {code: {"score": s} for code, s in WEAK_IN_ENERGY.items()}) is None
    assert invitations.match(["ENE"], {}) is None


def test_the_reason_names_the_weakest_theme():
    titles = {"ENE": "Énergie", "MOB": "Mobilité"}.get
    weakest = invitations.Match(themes=("ENE",), includes_weakest=True)
    second = invitations.Match(themes=("MOB",), includes_weakest=False)
    both = invitations.Match(themes=("ENE", "MOB"), includes_weakest=True)

    assert invitations.reason_text(weakest, titles).startswith("Votre thème le plus faible lors de votre dernière")
    assert "« Énergie »" in invitations.reason_text(weakest, titles)
    assert invitations.reason_text(second, titles).startswith("L'un de vos thèmes les plus faibles")
    assert "« Énergie » et « Mobilité »" in invitations.reason_text(both, titles)


# ---- the preview ----------------------------------------------------------------------------------


def organisation_with(scores, kind=OrganisationKind.ENTREPRISE, members=1, **fields):
    organisation = OrganisationFactory(kind=kind, **fields)
    people = [member_of(organisation) for _ in range(members)]
    if scores is not None:
        submitted_assessment(organisation, scores)
    return organisation, people


def test_the_preview_proposes_the_organisations_weak_in_the_event_s_themes(in_a, staff_client):
    event = EventFactory(themes=["ENE"])
    weak, _people = organisation_with(WEAK_IN_ENERGY, name="Boulangerie Faible")
    organisation_with(STRONG_IN_ENERGY, name="Menuiserie Forte")
    organisation_with(None, name="Garage Sans Évaluation")
    # Weak in energy last year, strong since: the latest submitted assessment decides.
    improved, _ = organisation_with(WEAK_IN_ENERGY, name="Imprimerie Progrès")
    submitted_assessment(improved, STRONG_IN_ENERGY, submitted_at=timezone.now() + timedelta(minutes=1))

    page = staff_client.get(f"{BASE}/{event.pk}/invitations/").content.decode()

    assert "Boulangerie Faible" in page
    assert "Votre thème le plus faible lors de votre dernière auto-évaluation, « Énergie »" in page
    assert "Menuiserie Forte" not in page and "Garage Sans Évaluation" not in page
    assert "Imprimerie Progrès" not in page
    assert f'value="{weak.pk}"' in page


def test_the_preview_keeps_to_the_event_s_organisation_kinds_and_leaves_out_opted_out_and_registered(in_a):
    event = EventFactory(themes=["ENE"], organisation_kinds=[OrganisationKind.ASSOCIATION])
    association, (opted_out, registered, reachable) = organisation_with(
        WEAK_IN_ENERGY, kind=OrganisationKind.ASSOCIATION, members=3
    )
    organisation_with(WEAK_IN_ENERGY, kind=OrganisationKind.ENTREPRISE)
    InvitationOptOut.objects.create(user=opted_out)
    register(event, user=registered, organisation=association)
    everybody_out, (person,) = organisation_with(WEAK_IN_ENERGY, kind=OrganisationKind.ASSOCIATION)
    InvitationOptOut.objects.create(user=person)

    preview = invitations.preview_invitations(event, published_referential())

    [candidate] = preview.candidates
    assert candidate.organisation == association
    assert candidate.recipients == [reachable]
    assert (candidate.opted_out, candidate.registered) == (1, 1)
    assert [c.organisation for c in preview.unreachable] == [everybody_out]


def test_the_preview_costs_the_same_queries_for_2_or_20_organisations(in_a, django_assert_num_queries):
    event = EventFactory(themes=["ENE"])
    referential = published_referential()
    for _ in range(2):
        organisation_with(WEAK_IN_ENERGY, members=2)
    # Invited already, latest assessments, organisations, their members, opt-outs, registrations.
    with django_assert_num_queries(6):
        assert len(invitations.preview_invitations(event, referential).candidates) == 2
    for _ in range(18):
        organisation_with(WEAK_IN_ENERGY, members=2)
    with django_assert_num_queries(6):
        assert len(invitations.preview_invitations(event, referential).candidates) == 20


# ---- sending ------------------------------------------------------------------------------------------


def test_sending_invites_each_ticked_organisation_once_and_says_why(in_a, staff_client, queued_emails):
    event = EventFactory(themes=["ENE"], title="Atelier sobriété énergétique")
    chosen, (first, second) = organisation_with(WEAK_IN_ENERGY, members=2, name="Boulangerie Faible")
    left_out, _ = organisation_with(WEAK_IN_ENERGY, name="Laissée de côté")

    response = staff_client.post(f"{BASE}/{event.pk}/invitations/", {"organisations": [chosen.pk]}, follow=True)

    assert response.redirect_chain[0][1] == 302
    assert "1 organisation invitée : 2 courriels envoyés." in response.content.decode()
    [invitation] = EventInvitation.objects.filter(event=event)
    assert (invitation.organisation, invitation.matching_themes) == (chosen, ["ENE"])
    emails = queued_emails(in_a)
    assert sorted(email.recipients[0] for email in emails) == sorted([first.email, second.email])
    for email in emails:
        assert email.subject.startswith("Invitation : Atelier sobriété énergétique")
        assert "Votre thème le plus faible lors de votre dernière auto-évaluation, « Énergie »" in email.body
        assert "invite les membres de « Boulangerie Faible » à « Atelier sobriété énergétique »" in email.body
        assert "/evenements/invitations/ne-plus-recevoir/" in email.body
        assert email.attachments == []
    # Once invited, an organisation is not proposed again; the one left out still is.
    page = staff_client.get(f"{BASE}/{event.pk}/invitations/").content.decode()
    assert "Boulangerie Faible" not in page and "Laissée de côté" in page
    staff_client.post(f"{BASE}/{event.pk}/invitations/", {"organisations": [chosen.pk]})
    assert EventInvitation.objects.filter(event=event).count() == 1
    assert len(queued_emails(in_a)) == 2


def test_a_draft_event_sends_no_invitation(in_a, staff_client, queued_emails):
    event = EventFactory(themes=["ENE"], status=EventStatus.DRAFT)
    organisation, _ = organisation_with(WEAK_IN_ENERGY)

    staff_client.post(f"{BASE}/{event.pk}/invitations/", {"organisations": [organisation.pk]})

    assert not EventInvitation.objects.exists() and not queued_emails(in_a)


# ---- unsubscribing ---------------------------------------------------------------------------------------


def opt_out_path(email):
    return re.search(r"http://[^/\s]+(/evenements/invitations/ne-plus-recevoir/[^/\s]+/)", email.body).group(1)


def test_the_unsubscribe_link_needs_no_login_and_stops_invitations_not_reminders(in_a, client_a, staff, queued_emails):
    event = EventFactory(themes=["ENE"])
    organisation, (person,) = organisation_with(WEAK_IN_ENERGY)
    invitations.send_invitations(event, staff, {organisation.pk}, published_referential())
    [email] = queued_emails(in_a)
    path = opt_out_path(email)

    assert "Ne plus recevoir d&#x27;invitations" in client_a.get(path).content.decode()
    assert not InvitationOptOut.objects.exists()  # a GET (a mail scanner's) records nothing
    response = client_a.post(path)
    assert "C'est noté" in response.content.decode()
    assert InvitationOptOut.objects.filter(user=person).exists()
    client_a.post(path)  # twice: still one refusal
    assert InvitationOptOut.objects.count() == 1

    # The next event: proposed, but nobody to write to.
    later = EventFactory(themes=["ENE"])
    preview = invitations.preview_invitations(later, published_referential())
    assert not preview.candidates and preview.unreachable[0].organisation == organisation
    # Their own registrations still get their emails.
    soon = EventFactory(starts_at=timezone.now() + timedelta(hours=20), reminder_days_before=2)
    seat = register(soon, user=person, organisation=organisation)
    Registration.objects.filter(pk=seat.pk).update(created_at=timezone.now() - timedelta(days=5))
    send_due_reminders()
    assert queued_emails(in_a)[-1].subject.startswith("Rappel : ") and queued_emails(in_a)[-1].recipients == [
        person.email
    ]


def test_mail_clients_unsubscribe_in_one_click_rfc_8058(in_a, staff, queued_emails, settings):
    from django.core import mail
    from django.test import Client

    from mailing.services import deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = EventFactory(themes=["ENE"])
    organisation, (person,) = organisation_with(WEAK_IN_ENERGY)
    invitations.send_invitations(event, staff, {organisation.pk}, published_referential())
    [email] = queued_emails(in_a)
    deliver(email.pk)

    [sent] = mail.outbox
    url = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.endswith(opt_out_path(email)) and url.startswith("http")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.message()["List-Unsubscribe"] == f"<{url}>"
    # What a mail client sends: a POST, no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True, HTTP_HOST=TERRITORY_A.domain)
    response = client.post(opt_out_path(email), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert InvitationOptOut.objects.filter(user=person).exists()


def test_a_forged_or_foreign_unsubscribe_link_opens_nothing(territory_a, territory_b, client_a, db):
    from events.staff_mail import opt_out_token

    align_next_ids([UserFactory._meta.model], territory_a, territory_b)
    with schema_context(territory_b.schema_name):
        person_b = UserFactory()
    with schema_context(territory_a.schema_name):
        person_a = UserFactory()
    assert person_a.pk == person_b.pk
    token_of_b = opt_out_token(territory_b, person_b)

    assert client_a.get(f"/evenements/invitations/ne-plus-recevoir/{token_of_b}/").status_code == 404
    assert client_a.post(f"/evenements/invitations/ne-plus-recevoir/{token_of_b}/").status_code == 404
    assert client_a.get("/evenements/invitations/ne-plus-recevoir/pas-un-jeton/").status_code == 404
    with schema_context(territory_a.schema_name):
        assert not InvitationOptOut.objects.exists()


@pytest.mark.django_db
def test_two_colleagues_sending_at_once_invite_each_organisation_once(territory_a):
    """Two connections send the same invitations at the same moment: the event row's lock makes the
    second wait, then find every organisation invited already."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from accounts.models import User
    from events.models import Event
    from mailing.models import OutgoingEmail
    from organisations.models import Organisation

    from .factories import committed

    tag = uuid.uuid4().hex[:8]
    schema = territory_a.schema_name

    def create():
        event = EventFactory(themes=["ENE"], title=f"Atelier {tag}")
        ids = set()
        for number in range(8):
            organisation = OrganisationFactory(name=f"Organisation {tag} {number}")
            member_of(organisation, UserFactory(email=f"{uuid.uuid4().hex[:8]}.{tag}@exemple.org"))
            submitted_assessment(organisation, WEAK_IN_ENERGY)
            ids.add(organisation.pk)
        return event, UserFactory(role=Role.STAFF, email=f"staff.{tag}@exemple.org"), ids

    event, staff, ids = committed(create, schema)
    start = threading.Barrier(2)

    def send():
        try:
            with schema_context(schema):
                start.wait(timeout=10)
                try:
                    return invitations.send_invitations(event, staff, ids, published_referential()).organisations
                except invitations.InvitationError:
                    return 0
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            sent = sorted(future.result() for future in [pool.submit(send), pool.submit(send)])
        assert sent == [0, 8]
        assert committed(lambda: EventInvitation.objects.filter(event_id=event.pk).count(), schema) == 8
        assert committed(lambda: OutgoingEmail.objects.filter(subject__contains=tag).count(), schema) == 8
    finally:

        def delete():
            Event.objects.filter(pk=event.pk).delete()
            Organisation.objects.filter(name__contains=tag).delete()
            User.objects.filter(email__endswith=f".{tag}@exemple.org").delete()
            OutgoingEmail.objects.filter(subject__contains=tag).delete()

        committed(delete, schema)


def test_an_event_without_themes_says_so_and_links_to_its_form(in_a, staff_client):
    event = EventFactory(themes=[])

    page = staff_client.get(f"{BASE}/{event.pk}/invitations/").content.decode()

    assert "Aucune organisation invitée pour l'instant." in page
    assert f'href="{BASE}/{event.pk}/modifier/">Choisir les thèmes de l\'événement</a>' in page
