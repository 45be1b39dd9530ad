"""factory_boy factories of the toolbox, for tests (run inside a territory's schema)."""

import factory

from toolbox.enums import CostBand, Duration, ImpactTier, Origin, SchemeKind
from toolbox.models import (
    Action,
    ActionQuestion,
    ActionStep,
    Partner,
    PcaetAction,
    PlanItem,
    PlanNote,
    PlanStep,
    Scheme,
)


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


# The action plans' tests (tests/toolbox/test_plan*.py): people, organisations with their members, steps, notes.


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Roux{n}")
    password = factory.django.Password("Mot-de-passe-42")


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation; `members=[user, …]` makes the first its owner and the others members."""

    class Meta:
        model = "organisations.Organisation"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = "entreprise"
    naf_code = "10.71C"
    headcount_band = "02"
    commune = "Poitiers"

    @factory.post_generation
    def members(self, create, users, **kwargs):
        from organisations.models import Membership

        for index, user in enumerate(users or []):
            Membership.objects.create(user=user, organisation=self, role="owner" if index == 0 else "member")


class PlanStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanStep

    item = factory.SubFactory(PlanItemFactory)
    order = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Étape du plan {n}")


class PlanNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanNote

    item = factory.SubFactory(PlanItemFactory)
    text = "Une note."


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"partenaire-{n}")
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    role = "Accompagne les entreprises."


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"dispositif-{n}")
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    provider = "ADEME"
    kind = SchemeKind.GRANT
