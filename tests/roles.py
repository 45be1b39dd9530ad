"""One small territory with every kind of person and object, for the tests that visit every page.

The permission table (tests/test_permissions.py) and the HTML checks (tests/test_html_validity.py)
both need: people of each role, logged in; organisations, an assessment in progress and a submitted
one, a draft referential, an invitation, a join request. `world_fixture` builds them once per test
module inside a transaction that is rolled back when the module ends, so the other tests never see
them; each test still runs in its own savepoint (pytest-django's `db`) above it.
"""

import contextlib
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from allauth.account.models import EmailConfirmation
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from dsfr.models import DsfrConfig

from accounts.enums import Role
from accounts.models import User
from events.enums import EventKind, EventStatus
from events.format_services import copy_format
from events.models import Event, WorkshopFormat
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Invitation, JoinRequest, Membership, Organisation
from referentiel.authoring import start_draft
from referentiel.enums import QuestionKind
from referentiel.services import AnswerInput, save_answer, start_assessment, submit_assessment
from referentiel.structure import structure_for
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob

from .conftest import TERRITORY_A, TERRITORY_B
from .toolbox.factories import (
    ActionFactory,
    ActionQuestionFactory,
    ActionStepFactory,
    PartnerFactory,
    PcaetActionFactory,
    PlanItemFactory,
    PlanNoteFactory,
    PlanStepFactory,
    SchemeFactory,
)

PASSWORD = "Mot-de-passe-roles-42"

# Who visits, and on which site they hold an account ("a" = territory A, "b" = territory B,
# "public" = the national site). Everyone is tried on both sites: an account of one site is
# anonymous on the others, which the permission table checks.
TERRITORY_ROLES = ("anonymous", "owner", "member", "outsider", "staff", "admin")
PUBLIC_ROLES = ("anonymous", "public_user", "national")
FOREIGN_ON_TERRITORY = ("national", "other_territory")  # logged in elsewhere: anonymous on A
FOREIGN_ON_PUBLIC = ("admin",)  # A's territory admin on the national site: anonymous there


@dataclass
class World:
    """Ids of what the pages are about, and one session cookie per role."""

    ids: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    clients: dict = field(default_factory=dict)
    connection: object = None  # the connection whose transaction holds the world (world_fixture)

    @contextlib.contextmanager
    def own_connection(self):
        """Requests made inside see the world.

        Django's connections are per context, and once Playwright's sync API runs (the browser
        tests), the tests run in another one: a request there would open a second connection,
        which does not see the world's uncommitted rows. In the full suite the browser starts
        before the world is built and both contexts agree; a module run alone needs this.
        """
        current = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = self.connection
        try:
            yield
        finally:
            connections[DEFAULT_DB_ALIAS] = current

    def client(self, role, host):
        """A client of `host` carrying only `role`'s session cookie.

        One client per host, reused: each new Client loads the middleware again, and WhiteNoise
        then walks every static file (half a second a client).
        """
        client = self.clients.get(host)
        if client is None:
            client = self.clients[host] = Client(HTTP_HOST=host)
        client.cookies.clear()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _user(email, role=Role.PARTICIPANT, **fields):
    user = User.objects.create_user(email, PASSWORD, role=role, first_name="Camille", last_name="Roux", **fields)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def _session_for(user):
    """A logged-in session in the current schema, as django.contrib.auth.login would store it."""
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _organisation(name, owner, siret):
    organisation = Organisation.objects.create(
        name=name,
        kind=OrganisationKind.ENTREPRISE,
        siret=siret,
        siren=siret[:9],
        naf_code="10.71C",
        naf_version="NAFRev2",
        headcount_band="02",
        commune="Poitiers",
        created_by=owner,
    )
    Membership.objects.create(user=owner, organisation=organisation, role=MembershipRole.OWNER)
    return organisation


def _answer(question):
    if question.kind == QuestionKind.NUMERIC:
        return AnswerInput(value=Decimal("60") if question.unit == "%" else Decimal("120"))
    best = max(question.choice_list, key=lambda choice: choice.points)
    return AnswerInput(choice_ids=(best.pk,))


def _territory_a(world):
    ids, users = world.ids, world.users
    users["owner"] = owner = _user("owner@roles.example")
    users["member"] = member = _user("member@roles.example")
    users["outsider"] = outsider = _user("outsider@roles.example")
    users["staff"] = staff = _user("staff@roles.example", role=Role.STAFF)
    users["admin"] = _user("admin@roles.example", role=Role.ADMIN)

    organisation = _organisation("Boulangerie des Rôles", owner, "73282932000074")
    other = _organisation("Menuiserie Voisine", outsider, "55208131766522")
    member_membership = Membership.objects.create(user=member, organisation=organisation)
    # Registered outside the territory's communes, awaiting the staff's acceptance (no member: nobody's).
    outside_org = Organisation.objects.create(
        name="Ferme d'Ayron",
        kind=OrganisationKind.ENTREPRISE,
        headcount_band="01",
        postal_code="86190",
        commune="Ayron",
        commune_code="86017",
        outside_territory=True,
    )
    invitation = Invitation.objects.create(organisation=organisation, email="invitee@roles.example", invited_by=owner)
    join_request = JoinRequest.objects.create(organisation=organisation, user=outsider, message="Bonjour")

    submitted = start_assessment(organisation, owner)
    structure = structure_for(submitted.version)
    themes = structure.themes_for(organisation)
    for _theme, questions in themes:
        for question in questions:
            save_answer(submitted, question, owner, _answer(question))
    submit_assessment(submitted, owner)
    in_progress = start_assessment(organisation, owner)
    first_theme, first_questions = themes[0]
    save_answer(in_progress, first_questions[0], owner, _answer(first_questions[0]))

    # The toolbox: an action of the territory, in the organisation's plan and linked to a PCAET action.
    action = ActionFactory(code="ROLES-01", title="Isoler les combles")
    # What the action's page shows, for the page checks (tests/test_html_validity.py).
    ActionStepFactory(action=action, text="Faire venir un artisan RGE", url="https://france-renov.gouv.fr")
    ActionQuestionFactory(action=action, question_code="ENE-01")
    action.partners.add(PartnerFactory(name="Agence locale de l'énergie", website="https://ale.example"))
    action.schemes.add(SchemeFactory(kind="free_support", source_url="https://source.example", checked_on="2026-01-15"))
    plan_item = PlanItemFactory(organisation=organisation, action=action, created_by=owner)
    plan_step = PlanStepFactory(item=plan_item, text="Demander un devis")
    PlanNoteFactory(item=plan_item, author=member, text="Premier devis reçu.")
    pcaet_action = PcaetActionFactory(code="ROLES-PCAET-1")
    pcaet_action.toolbox_actions.add(action)
    partner, scheme = PartnerFactory(name="Agence locale de l'énergie"), SchemeFactory(name="Diag Éco-Flux")
    # A national action the territory adapted (its title), for the editor's « adapté localement ».
    national_action = ActionFactory(
        code="ROLES-NAT-01",
        origin="national",
        title="Suivre son énergie chaque mois",
        adapted_fields=["title"],
        national_data={"title": "Suivre ses consommations d'énergie chaque mois", "steps": [{"text": "Relever"}]},
    )
    ActionStepFactory(action=national_action, text="Relever les index", url="https://example.org/index")
    ActionQuestionFactory(action=national_action, question_code="ENE-01", up_to_step=2)
    national_action.partners.add(partner)
    national_action.schemes.add(scheme)

    # Workshop formats (events/urls_formats.py): a national one of the library, a local copy, an event using it.
    national_format = WorkshopFormat.objects.get(code="world-cafe")
    local_format = copy_format(national_format)
    format_event = Event.objects.create(
        title="Atelier world café",
        kind=EventKind.WORKSHOP,
        starts_at=datetime(2027, 3, 10, 16, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 18, 0, tzinfo=UTC),
        place="Salle des fêtes",
        status=EventStatus.PUBLISHED,
        format=local_format,
    )
    # A rendered report of the submitted assessment (reports/): its file, a stand-in, in private storage.
    report_job = ReportJob.objects.create(
        assessment=submitted, content_hash="roles" * 12, status=JobStatus.DONE, requested_by=owner
    )
    report_job.file.save("rapport.pdf", ContentFile(b"%PDF-1.7 roles"), save=False)
    report_job.size = report_job.file.size
    report_job.save(update_fields=["file", "size"])
    # A rendered programme review (reports/, kind « review »): the territory's staff only.
    review_job = ReportJob.objects.create(
        kind=ReportKind.REVIEW, content_hash="bilan" * 12, status=JobStatus.DONE, requested_by=staff
    )
    review_job.file.save("bilan.pdf", ContentFile(b"%PDF-1.7 bilan"), save=False)
    review_job.size = review_job.file.size
    review_job.save(update_fields=["file", "size"])

    draft = start_draft(staff)
    choice_question = draft.questions.filter(choices__isnull=False).first()
    ids.update(
        org=organisation.pk,
        org_public_id=organisation.public_id,
        other_org=other.pk,
        outside_org=outside_org.pk,
        membership=member_membership.pk,
        invitation=invitation.pk,
        invitation_token=invitation.token,
        join_request=join_request.pk,
        assessment=in_progress.pk,
        submitted=submitted.pk,
        theme_code=first_theme.code,
        question=first_questions[0].pk,
        published=submitted.version_id,
        draft=draft.pk,
        level=draft.levels.first().pk,
        draft_theme=draft.themes.first().pk,
        draft_question=draft.questions.first().pk,
        draft_choice=choice_question.choices.first().pk,
        draft_band=draft.questions.filter(bands__isnull=False).first().bands.first().pk,
        staff_user=staff.pk,
        action=action.pk,
        action_code=action.code,
        plan_item=plan_item.pk,
        plan_step=plan_step.pk,
        pcaet_action=pcaet_action.pk,
        national_action=national_action.pk,
        partner=partner.pk,
        scheme=scheme.pk,
        national_format=national_format.pk,
        local_format=local_format.pk,
        format_event=format_event.pk,
        report_job=report_job.pk,
        review_job=review_job.pk,
    )
    _staff_events(world, organisation, owner, member)
    _events_of_a(world, organisation, owner, member, action)
    for role in TERRITORY_ROLES[1:]:
        world.sessions[role] = _session_for(users[role])


def _staff_events(world, organisation, owner, member):
    """An upcoming published event with a confirmed seat, a waitlisted one and an opinion (the staff's
    event pages), and the owner's unsubscribe token for invitations."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event, Feedback, Registration
    from events.staff_mail import opt_out_token
    from tenants.links import current_territory

    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    event = Event.objects.create(
        title="Rencontre des rôles",
        kind="meeting",
        themes=["ENE"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Salle des rôles",
        status="published",
        capacity=1,
    )
    seat = Registration.objects.create(event=event, user=owner, organisation=organisation, status="confirmed")
    Registration.objects.create(event=event, user=member, organisation=organisation, status="waitlisted")
    Feedback.objects.create(registration=seat, satisfaction=4, keep="Les échanges", change="La salle")
    world.ids.update(
        staff_event=event.pk,
        staff_registration=seat.pk,
        opt_out_token=opt_out_token(current_territory(), owner),
    )


def _events_of_a(world, organisation, owner, member, action):
    """Events (participants' side): an upcoming one with the owner registered and the member on its
    waitlist, and a past one the owner attended (feedback, « de l'atelier au plan »)."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event, Registration

    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    event = Event.objects.create(
        title="Atelier des rôles",
        kind="workshop",
        description="Un atelier **pratique** sur l'énergie.",
        themes=["ENE"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        mode="hybrid",
        place="Maison de l'économie, Poitiers",
        online_url="https://visio.example.org/roles",
        capacity=1,
        seats_per_organisation=3,
        status="published",
        contact="Claire Martin",
    )
    event.actions.add(action)
    registration = Registration.objects.create(
        event=event, user=owner, organisation=organisation, registered_by=owner, status="confirmed"
    )
    Registration.objects.create(event=event, user=member, organisation=organisation, status="waitlisted")
    past = Event.objects.create(
        title="Visite des rôles",
        kind="site_visit",
        starts_at=start - timedelta(days=20),
        ends_at=start - timedelta(days=20) + timedelta(hours=2),
        status="published",
    )
    past.actions.add(action)
    Registration.objects.create(event=past, user=owner, organisation=organisation, status="confirmed")
    world.ids.update(event=event.pk, event_registration=registration.pk, past_event=past.pk)


def _territory_b(world):
    world.users["other_territory"] = user = _user("owner@roles-b.example")
    organisation = _organisation("Boulangerie de B", user, "73282932000074")
    # Same code as A's action: a URL of A naming it must never reach B's row.
    PlanItemFactory(organisation=organisation, action=ActionFactory(code="ROLES-01", title="Action de B"))
    world.sessions["other_territory"] = _session_for(user)


def _public(world):
    world.users["public_user"] = public_user = _user("visitor@roles.example")
    world.users["national"] = national = _user("national@roles.example", is_staff=True, is_superuser=True)
    world.ids.update(
        national_user=national.pk,
        national_email=national.emailaddress_set.get().pk,
        # Confirmation keys are stored rows (ACCOUNT_EMAIL_CONFIRMATION_HMAC = False): the admin lists them.
        national_email_confirmation=EmailConfirmation.create(national.emailaddress_set.get()).pk,
        user_content_type=ContentType.objects.get_for_model(User).pk,
        group=Group.objects.create(name="Relecteurs").pk,
        dsfr_config=(DsfrConfig.objects.first() or DsfrConfig.objects.create()).pk,
    )
    world.sessions["public_user"] = _session_for(public_user)
    world.sessions["national"] = _session_for(national)


def _benchmarks():
    """National groups of businesses (the owner's kind), so that the results page shows its comparison."""
    from django.utils import timezone

    from benchmarks.models import NationalBenchmark

    now = timezone.now()
    for epci_kind in ("", "cu"):
        for theme, title, position in (("", "", 0), ("ENE", "Énergie", 1)):
            NationalBenchmark.objects.create(
                epci_kind=epci_kind,
                organisation_kind=OrganisationKind.ENTREPRISE,
                organisation_kind_label="Entreprise",
                theme=theme,
                theme_title=title,
                position=position,
                organisations=12,
                territories=3,
                average=Decimal("48.5"),
                merged_at=now,
            )


def world_fixture(territories, django_db_blocker):
    """Generator behind the test modules' `world` fixture (module scope): build, yield, roll back."""
    territory_a, territory_b = territories
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = World()
            world.ids["territory_a"] = territory_a.pk
            connection.set_tenant(territory_a)
            _territory_a(world)
            connection.set_tenant(territory_b)
            _territory_b(world)
            connection.set_schema_to_public()
            _public(world)
            _benchmarks()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    # Django's connections are per context, and Playwright's sync API (the browser tests) runs
    # fixture teardowns in another one: roll back on the connection that opened the transaction.
    own = world.connection = connections[DEFAULT_DB_ALIAS]
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            current = connections[DEFAULT_DB_ALIAS]
            if current is not own:
                current.close()
                connections[DEFAULT_DB_ALIAS] = own
            own.set_schema_to_public()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


HOSTS = {"a": TERRITORY_A.domain, "b": TERRITORY_B.domain, "public": "testserver"}
