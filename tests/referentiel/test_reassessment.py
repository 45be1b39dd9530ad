"""Re-assessing starts, on purpose, from the previous answers, each « à confirmer »."""

from decimal import Decimal

import pytest

from accounts.enums import Role
from accounts.models import User
from referentiel import authoring
from referentiel.carry_over import plan_carry_over
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment, Question
from referentiel.services import AssessmentError, start_assessment, submit_assessment

from .test_questionnaire import (  # noqa: F401 - fixtures
    answer,
    assessment,
    client,
    first_choice,
    organisation,
    owner,
    question,
    theme_url,
)


@pytest.fixture
def submitted(assessment, owner):  # noqa: F811
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01", 1).pk,), comment="Un référent nommé.")
    answer(assessment, "PIL-02", owner, choice_ids=(first_choice("PIL-02").pk,))
    answer(assessment, "ENE-02", owner, value=Decimal("45000"))
    return submit_assessment(assessment, owner)


def start_url(organisation):  # noqa: F811
    return f"/organisations/{organisation.pk}/auto-evaluation/commencer/"


def test_after_a_validated_assessment_the_panel_asks_before_starting(client, organisation, submitted):  # noqa: F811
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert f'href="{start_url(organisation)}"' in page  # a link to the choice, not a one-click form

    choice = client.get(start_url(organisation)).content.decode()
    assert "Reprendre vos réponses de la dernière auto-évaluation" in choice
    assert "Repartir d&#x27;une page blanche" in choice or "Repartir d'une page blanche" in choice
    assert not Assessment.objects.filter(status=AssessmentStatus.IN_PROGRESS).exists()


def test_starting_from_the_previous_answers_copies_them_to_confirm(client, organisation, submitted):  # noqa: F811
    response = client.post(start_url(organisation), {"depart": "reprise"}, follow=True)

    new = Assessment.objects.get(status=AssessmentStatus.IN_PROGRESS)
    assert new.carried_over_from == submitted
    copies = {a.question.code: a for a in Answer.objects.filter(assessment=new).select_related("question")}
    assert set(copies) == {"PIL-01", "PIL-02", "ENE-02"}
    assert all(a.to_confirm for a in copies.values())
    assert copies["PIL-01"].choice_ids == [first_choice("PIL-01", 1).pk]
    assert copies["PIL-01"].comment == "Un référent nommé."
    assert copies["ENE-02"].value == Decimal("45000")
    page = response.content.decode()
    assert "3 réponses reprises de votre dernière auto-évaluation" in page
    assert "À confirmer : réponse reprise de votre auto-évaluation précédente" in page


def test_a_blank_start_copies_nothing(client, organisation, submitted):  # noqa: F811
    client.post(start_url(organisation), {"depart": "vierge"})

    new = Assessment.objects.get(status=AssessmentStatus.IN_PROGRESS)
    assert new.carried_over_from is None
    assert not Answer.objects.filter(assessment=new).exists()


def test_submission_waits_until_every_copy_is_confirmed(client, organisation, owner, submitted):  # noqa: F811
    new = start_assessment(organisation, owner, carry_over=True)

    with pytest.raises(AssessmentError, match="3 réponses reprises .* sont à confirmer"):
        submit_assessment(new, owner)
    review = client.get(f"/auto-evaluations/{new.pk}/relecture/").content.decode()
    assert "3 réponses à confirmer" in review
    assert f"#question-{question('PIL-01').pk}" in review
    assert 'class="fr-btn" disabled' in review

    # Changing one answer confirms it; posting the theme page back keeps the others as they are.
    answer(new, "PIL-01", owner, choice_ids=(first_choice("PIL-01", 2).pk,))
    assert Answer.objects.filter(assessment=new, to_confirm=True).count() == 2
    pil = {
        f"q{question('PIL-02').pk}-choice": str(first_choice("PIL-02").pk),
        f"q{question('PIL-01').pk}-choice": str(first_choice("PIL-01", 2).pk),
        "go": "next",
    }
    client.post(theme_url(new, "PIL"), pil)
    assert Answer.objects.filter(assessment=new, to_confirm=True).count() == 1  # ENE-02 is on another theme
    Answer.objects.filter(assessment=new).update(to_confirm=False)

    assert submit_assessment(new, owner).status == AssessmentStatus.SUBMITTED


def test_answers_of_questions_that_changed_are_flagged_not_copied(client, organisation, owner, submitted, in_a):  # noqa: F811
    staff = User.objects.create_user("equipe@a.example", "Mot-de-passe-42", role=Role.STAFF)
    draft = authoring.start_draft(staff)
    changed = Question.objects.get(version=draft, code="PIL-02")
    first = changed.choices.order_by("order", "pk").first()
    authoring.update_choice(first, label="Un libellé nouveau, qui change le sens du choix")
    authoring.delete_question(Question.objects.get(version=draft, code="ENE-02"))
    authoring.publish_draft(draft, staff)

    new = start_assessment(organisation, owner, carry_over=True)

    assert new.version == draft
    assert set(Answer.objects.filter(assessment=new).values_list("question__code", flat=True)) == {"PIL-01"}
    assert new.changed_question_codes == ["PIL-02"]
    page = client.get(theme_url(new, "PIL")).content.decode()
    assert "Cette question a changé depuis votre auto-évaluation précédente" in page
    review = client.get(f"/auto-evaluations/{new.pk}/relecture/").content.decode()
    assert "modifiée depuis la dernière fois" in review


def test_the_plan_matches_by_code_and_choice_position():
    class Q:
        def __init__(self, pk, code, labels, kind="ladder", unit="", na=False):
            self.pk, self.code, self.kind, self.unit, self.allow_not_applicable = pk, code, kind, unit, na
            self.choice_list = [type("C", (), {"pk": pk * 10 + i, "label": label}) for i, label in enumerate(labels)]

    class A:
        def __init__(self, question_id, choice_ids=(), value=None, not_applicable=False):
            self.question_id, self.choice_ids, self.value, self.not_applicable = (
                question_id,
                list(choice_ids),
                value,
                not_applicable,
            )

    old = {
        1: Q(1, "A", ["non", "oui"]),
        2: Q(2, "B", ["x", "y"]),
        3: Q(3, "C", [], kind="numeric", unit="kWh"),
        4: Q(4, "D", ["a"]),
        5: Q(5, "E", [], kind="numeric", na=True),
    }
    new = {
        "A": Q(6, "A", ["non", "oui"]),
        "B": Q(7, "B", ["x", "z"]),
        "C": Q(8, "C", [], kind="numeric", unit="MWh"),
        "E": Q(9, "E", [], kind="numeric"),
    }
    answers = [A(1, [11]), A(2, [20]), A(3, value=5), A(4, [40]), A(5, not_applicable=True)]

    plan = plan_carry_over(old, answers, new)

    assert [(q.code, ids) for q, _a, ids in plan.copies] == [("A", [61])]
    assert plan.changed == ["B", "C", "E"]  # other labels, another unit, « non concerné » no longer allowed
    assert plan.dropped == ["D"]
