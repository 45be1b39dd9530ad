"""From the results page to the action plan, in a real Chromium: a participant reads why an action
is recommended, adds it to the plan (it is no longer recommended), ticks one of its steps, marks it
done and sees the plan's progress by theme move; the organisation's space then no longer lists it
among the next steps.

Data is committed (the live server reads it), so each run uses fresh emails and codes and removes
what it created.
"""

import random
import re
import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from referentiel.services import current_version, start_assessment, submit_assessment
from referentiel.structure import question_spec, structure_for
from toolbox.models import Action, ActionQuestion, ActionStep, PlanItem
from toolbox.steps import top_step

from ..conftest import TERRITORY_A
from ..referentiel.test_results import PICKS, answer_input
from .live import is_reported
from .test_assessment_flow import PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(territory_a, django_db_blocker, orm_beside_playwright):
    """A participant whose submitted assessment leaves mobility (MOB) at the bottom of its ladders,
    and a toolbox action with two steps that answers the mobility questions."""
    from referentiel.services import save_answer

    tag = uuid.uuid4().hex[:8].upper()
    email = f"sam.{tag.lower()}@example.org"
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        user = User.objects.create_user(email, PASSWORD)
        user.emailaddress_set.create(email=email, verified=True, primary=True)
        organisation = Organisation.objects.create(
            name=f"Menuiserie du Clain {tag}",
            kind=OrganisationKind.ENTREPRISE,
            siret=demo_siret(random.Random(tag)),
            naf_code="16.23Z",
            headcount_band="11",
            commune="Poitiers",
            created_by=user,
        )
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
        action = Action.objects.create(
            code=f"MOB-T{tag}",
            title=f"Enquêter sur les trajets domicile-travail {tag}",
            promise="Savoir comment chacun vient au travail, pour agir là où c'est possible.",
            main_theme="MOB",
            cost="free",
            duration="weeks",
            impact="medium",
            naf_codes=["16"],
        )
        # Written for joinery (NAF division 16) and linked to every mobility question at the bottom of
        # its ladder: it ranks first among mobility actions, whatever the national toolbox holds.
        structure = structure_for(current_version())
        ActionQuestion.objects.bulk_create(
            ActionQuestion(action=action, question_code=question.code, up_to_step=top_step(question_spec(question)) - 1)
            for question in structure.theme_by_code("MOB").question_list
            if question.applies_to(organisation) and top_step(question_spec(question)) > 1
        )
        ActionStep.objects.bulk_create(
            [
                ActionStep(action=action, order=1, text="Préparer un questionnaire court"),
                ActionStep(action=action, order=2, text="Analyser les réponses avec l'équipe"),
            ]
        )
        assessment = start_assessment(organisation, user)
        for theme, questions in structure_for(assessment.version).themes_for(organisation):
            for question in questions:
                save_answer(assessment, question, user, answer_input(question, PICKS[theme.code]))
        submit_assessment(assessment, user)
        mob_01 = next(q for q in structure_for(assessment.version).questions.values() if q.code == "MOB-01")
    yield {
        "email": email,
        "organisation": organisation,
        "action": action,
        "assessment": assessment,
        "question": mob_01,
        "answer": min(mob_01.choice_list, key=lambda c: c.points).label,
    }
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        Organisation.objects.filter(pk=organisation.pk).delete()  # plan, assessments and answers go with it
        Action.objects.filter(pk=action.pk).delete()
        User.objects.filter(pk=user.pk).delete()


def test_from_a_recommendation_to_the_plan(live_server_url, page, world, territory_a, django_db_blocker):
    base = f"http://{TERRITORY_A.domain}:{live_server_url}"
    action, organisation = world["action"], world["organisation"]
    results_path = f"/auto-evaluations/{world['assessment'].pk}/resultats/"
    failures = []
    page.on("response", lambda r: r.status >= 500 and failures.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: is_reported(m) and failures.append(f"console: {m.text}"))

    # 1. The results page says what to do next, and why.
    log_in(page, base, world["email"], results_path)
    recommendation = page.locator("li", has=page.get_by_role("link", name=action.title))
    expect(recommendation).to_be_visible()
    expect(recommendation).to_contain_text(
        f"Parce que vous avez répondu « {world['answer']} » à « {world['question'].text} »."
    )
    expect(recommendation.get_by_role("link", name=action.title)).to_have_attribute(
        "href", f"/boite-a-outils/{action.code}/"
    )  # the action's page (toolbox:action_detail)

    # 2. Add it to the plan: back on the results page, it is no longer recommended.
    recommendation.get_by_role("button", name=re.compile("Ajouter à mon plan d'actions")).click()
    expect(page).to_have_url(base + results_path)
    expect(page.get_by_text(f"« {action.title} » est ajoutée au plan d'actions")).to_be_visible()
    expect(page.get_by_role("link", name=action.title)).to_have_count(0)
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        item = PlanItem.objects.get(organisation=organisation, action=action)
        assert list(item.steps.values_list("text", flat=True)) == [
            "Préparer un questionnaire court",
            "Analyser les réponses avec l'équipe",
        ]

    # The action's page says so, the badge in the page's column (not in the buttons' negative margin).
    page.goto(f"{base}/boite-a-outils/{action.code}/")
    badge = page.get_by_text("Déjà dans votre plan")
    expect(badge).to_be_visible()
    assert badge.bounding_box()["x"] == page.get_by_role("heading", level=1).bounding_box()["x"]

    # 3. The organisation's space lists it among the next steps; its link opens the plan item.
    page.goto(f"{base}/organisations/{organisation.pk}/")
    plan = page.locator("section", has=page.get_by_role("heading", name="Mon plan d'actions"))
    expect(plan).to_contain_text("À lancer")
    plan.get_by_role("link", name=action.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)

    # 4. Tick a step (htmx swaps the step in place).
    step = page.locator("li", has_text="Préparer un questionnaire court")
    step.get_by_role("button", name=re.compile("cocher l'étape")).click()
    expect(step.get_by_role("button", name=re.compile("décocher l'étape"))).to_be_visible()
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        assert item.steps.filter(done_at__isnull=False).count() == 1

    # 5. The plan's progress by theme, before and after the action is marked done.
    page.get_by_role("link", name="Retour au plan d'actions").click()
    mobility = page.locator("li", has=page.locator("strong", has_text="Mobilité"))
    expect(mobility).to_contain_text("0 / 1 action réalisée (0 %)")
    page.get_by_role("link", name=action.title).click()
    page.get_by_label("Statut").select_option(label="Réalisée")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les changements sont enregistrés.")).to_be_visible()
    page.get_by_role("link", name="Retour au plan d'actions").click()
    expect(mobility).to_contain_text("1 / 1 action réalisée (100 %)")
    with django_db_blocker.unblock(), schema_context(territory_a.schema_name):
        item.refresh_from_db()
        assert item.status == "done" and item.completed_at is not None

    # 6. Done, it leaves the next steps of the organisation's space.
    page.goto(f"{base}/organisations/{organisation.pk}/")
    expect(page.get_by_text("Aucune action en cours ou à lancer dans votre plan.")).to_be_visible()

    assert failures == []
