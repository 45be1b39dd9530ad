"""factory_boy factories of events, for tests (run inside a territory's schema)."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from events.enums import EventKind, EventMode, EventStatus, RegistrationStatus
from events.models import Event, Registration
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation

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
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=10)).replace(microsecond=0))
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
