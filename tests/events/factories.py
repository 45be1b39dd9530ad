"""factory_boy factories of events, for tests (run inside a territory's schema): people, organisations,
events, registrations, and submitted assessments with chosen theme scores (maturity-aware invitations)."""

import contextlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import factory
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from events.enums import EventKind, EventMode, EventStatus, RegistrationStatus
from events.models import Event, Registration
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from referentiel.services import current_version

PASSWORD = "Mot-de-passe-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"personne-{n}@events.example")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Roux {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(password=PASSWORD, **kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.ENTREPRISE
    naf_code = "10.71C"
    headcount_band = "02"
    commune = "Poitiers"


def member_of(organisation, user=None, role=MembershipRole.MEMBER):
    user = user or UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class EventFactory(factory.django.DjangoModelFactory):
    """A published workshop in ten days, two hours long, registrations open."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Atelier {n}")
    kind = EventKind.WORKSHOP
    description = "Un atelier **pratique**."
    themes = factory.LazyFunction(lambda: ["ENE"])
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=2))
    mode = EventMode.ON_SITE
    place = "Maison de l'économie, Poitiers"
    status = EventStatus.PUBLISHED
    contact = "Claire Martin, 05 49 00 00 00"


def past_event(**fields):
    start = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED


def register(event, user=None, organisation=None, status=RegistrationStatus.CONFIRMED, **fields):
    organisation = organisation or OrganisationFactory()
    user = user or member_of(organisation)
    return Registration.objects.create(
        event=event,
        user=user,
        organisation=organisation,
        status=status,
        confirmed_at=timezone.now() if status == RegistrationStatus.CONFIRMED else None,
        **fields,
    )


def submitted_assessment(organisation, scores, submitted_at=None):
    """A submitted assessment whose stored theme scores are `scores` ({code: score or None})."""
    return Assessment.objects.create(
        organisation=organisation,
        version=current_version(),
        status=AssessmentStatus.SUBMITTED,
        submitted_at=submitted_at or timezone.now(),
        theme_scores={
            code: {"score": score, "level": None, "answered": 1, "applicable": 1} for code, score in scores.items()
        },
    )


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@contextlib.contextmanager
def territory_zone(territory, zone):
    """The territory lives in `zone` for the block. Its row goes back with the test's rollback, but the
    object is the session's (tests/conftest.py `territories`): its attribute is put back by hand."""
    before = territory.time_zone
    territory.time_zone = zone
    territory.save(update_fields=["time_zone"])
    try:
        yield territory
    finally:
        territory.time_zone = before


def committed(call, schema_name):
    """Run `call()` on a connection of its own (a thread's), in autocommit, in the schema."""

    def in_thread():
        try:
            with schema_context(schema_name):
                return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()
