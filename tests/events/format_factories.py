"""factory_boy factories of workshop formats, for tests (run inside a territory's schema)."""

import factory

from events.enums import WorkshopPhase
from events.models import FormatStep, WorkshopFormat
from toolbox.enums import Origin


class WorkshopFormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopFormat

    code = factory.Sequence(lambda n: f"essai-{n}")
    origin = Origin.LOCAL
    name = factory.Sequence(lambda n: f"Déroulé d'essai {n}")
    objective = "Essayer."
    phase = WorkshopPhase.EXPLORE
    duration_minutes = 30
    group_min = 4
    group_max = 12


class FormatStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormatStep

    format = factory.SubFactory(WorkshopFormatFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Étape {n}")
    minutes = 15
    instructions = "Faire ceci."


def format_with_steps(minutes=(10, 20), **fields):
    """A format whose steps (one per entry of `minutes`) fill its duration."""
    workshop_format = WorkshopFormatFactory(duration_minutes=sum(minutes), **fields)
    for order, length in enumerate(minutes, start=1):
        FormatStepFactory(format=workshop_format, order=order, minutes=length, title=f"Étape {order}")
    return workshop_format
