"""factory_boy factories of the toolbox, for tests (run inside a territory's schema)."""

import factory

from toolbox.enums import CostBand, Duration, ImpactTier, Origin, SchemeKind
from toolbox.models import Action, ActionQuestion, ActionStep, Partner, PcaetAction, PlanItem, Scheme


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    code = factory.Sequence(lambda n: f"TEST-{n:03d}")
    origin = Origin.LOCAL
    title = factory.Sequence(lambda n: f"Action d'essai {n}")
    promise = "Une action pour les essais."
    body = "Une description **en Markdown**."
    main_theme = "ENE"
    cost = CostBand.LOW
    duration = Duration.WEEKS
    impact = ImpactTier.MEDIUM


class ActionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionStep

    action = factory.SubFactory(ActionFactory)
    order = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Étape {n}")


class ActionQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionQuestion

    action = factory.SubFactory(ActionFactory)
    question_code = "ENE-01"
    up_to_step = 2


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    action = factory.SubFactory(ActionFactory)
    title = factory.LazyAttribute(lambda item: item.action.title if item.action else "Action de l'organisation")
    theme = factory.LazyAttribute(lambda item: item.action.main_theme if item.action else "ENE")


class PcaetActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PcaetAction

    code = factory.Sequence(lambda n: f"PCAET-{n:03d}")
    title = factory.Sequence(lambda n: f"Action du plan climat {n}")
    axis = "Axe 1 – Sobriété"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"PART-{n:03d}")
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    role = "Accompagne les entreprises"


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"DISP-{n:03d}")
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    provider = "Région"
    kind = SchemeKind.GRANT
