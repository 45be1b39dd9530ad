"""The results page keeps its summary rendered until the averages (or what else it shows) move, its
practice changes until the plan does, and its recommendations until the plan or the toolbox does
(referentiel/views/results.py); a fragment kept for one territory is never read in another
(assett/fragments.py)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from assett.fragments import cached_fragment
from referentiel import results as results_module
from referentiel.results import forget_kind_averages
from toolbox.enums import PlanStatus
from toolbox.models import Action, ActionQuestion, PlanItem

from ..conftest import TERRITORY_A
from ..toolbox.factories import ActionFactory, ActionQuestionFactory
from ..toolbox.test_recommendations import complete, et_maintenant, linked_action
from .test_results import make_organisation, make_user, results_url, submitted_assessment


@pytest.fixture
def member(in_a):
    return make_user()


@pytest.fixture
def organisation(member):
    return make_organisation(member=member)


def test_the_practice_changes_show_an_action_completed_after_the_page_was_kept(client_a, member, organisation):
    previous = submitted_assessment(organisation, member)
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    assert "Vos actions réalisées et vos réponses" not in client_a.get(results_url(assessment)).content.decode()

    between = previous.submitted_at + (assessment.submitted_at - previous.submitted_at) / 2
    complete(organisation, linked_action("BIO-Z99", "BIO-01"), between)

    assert "Vos actions réalisées et vos réponses" in client_a.get(results_url(assessment)).content.decode()


def test_the_practice_changes_lose_an_action_reopened_after_the_page_was_kept(client_a, member, organisation):
    previous = submitted_assessment(organisation, member)
    assessment = submitted_assessment(organisation, member)
    between = previous.submitted_at + (assessment.submitted_at - previous.submitted_at) / 2
    item = complete(organisation, linked_action("BIO-Z99", "BIO-01"), between)
    client_a.force_login(member)
    assert "Vos actions réalisées et vos réponses" in client_a.get(results_url(assessment)).content.decode()

    PlanItem.objects.filter(pk=item.pk).update(status=PlanStatus.IN_PROGRESS)

    assert "Vos actions réalisées et vos réponses" not in client_a.get(results_url(assessment)).content.decode()


def test_the_practice_changes_show_a_question_linked_since_to_a_completed_action(client_a, member, organisation):
    """A staff change of the toolbox's question links moves the `toolbox` revision (migration 0006)."""
    previous = submitted_assessment(organisation, member)
    assessment = submitted_assessment(organisation, member)
    action = linked_action("BIO-Z99", "BIO-01", title="Planter une haie")
    complete(organisation, action, previous.submitted_at + (assessment.submitted_at - previous.submitted_at) / 2)
    client_a.force_login(member)
    html = client_a.get(results_url(assessment)).content.decode()
    assert html.count("Action réalisée : «\u00a0Planter une haie\u00a0»") == 1

    ActionQuestionFactory(action=action, question_code="MOB-01", up_to_step=2)

    html = client_a.get(results_url(assessment)).content.decode()
    assert html.count("Action réalisée : «\u00a0Planter une haie\u00a0»") == 2


def test_the_summary_shows_new_averages_once_a_submission_moves_them(client_a, member, organisation, monkeypatch):
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    assert "Score global moyen" not in client_a.get(results_url(assessment)).content.decode()

    average = {"overall": 42.0, "organisations": 7, "themes": {}}
    monkeypatch.setattr(results_module, "_compute_kind_average", lambda kind, codes: average)
    forget_kind_averages()  # what a submission does on commit

    assert "Score global moyen : 42" in client_a.get(results_url(assessment)).content.decode()


def test_an_action_added_from_the_kept_recommendations_leaves_them(member, organisation):
    """Added with the token of the page read back: the kept forms carry the reader's token."""
    action = linked_action("MOB-Z01", "MOB-01")
    assessment = submitted_assessment(organisation, member)
    client = Client(HTTP_HOST=TERRITORY_A.domain, enforce_csrf_checks=True)
    client.force_login(member)
    client.get(results_url(assessment))  # rendered and kept
    html = et_maintenant(client.get(results_url(assessment)).content.decode())
    form = f'action="/organisations/{organisation.pk}/plan/ajouter/{action.pk}/"'
    assert form in html

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/organisations/{organisation.pk}/plan/ajouter/{action.pk}/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert PlanItem.objects.filter(organisation=organisation, action=action).exists()

    assert form not in et_maintenant(client.get(results_url(assessment)).content.decode())


def test_the_kept_recommendations_show_an_action_retitled_or_hidden_since(client_a, member, organisation):
    action = linked_action("MOB-Z01", "MOB-01", title="Covoiturer")
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    assert "Covoiturer" in et_maintenant(client_a.get(results_url(assessment)).content.decode())

    Action.objects.filter(pk=action.pk).update(title="Covoiturer entre collègues")
    assert "Covoiturer entre collègues" in et_maintenant(client_a.get(results_url(assessment)).content.decode())

    Action.objects.filter(pk=action.pk).update(hidden=True)
    assert "Covoiturer" not in et_maintenant(client_a.get(results_url(assessment)).content.decode())


def test_the_recommendations_show_an_action_linked_since_by_a_bulk_write(client_a, member, organisation):
    """A bulk write sends no signal (the loader's, a staff import): the ranking, kept under the toolbox's
    revision, which the database moves for any write, is ranked again at once."""
    linked_action("MOB-Z01", "MOB-01", title="Covoiturer")
    unlinked = ActionFactory(code="MOB-Z02", main_theme="MOB", title="Prêter des vélos")
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    assert "Prêter des vélos" not in et_maintenant(client_a.get(results_url(assessment)).content.decode())

    ActionQuestion.objects.bulk_create([ActionQuestion(action=unlinked, question_code="MOB-01", up_to_step=3)])

    assert "Prêter des vélos" in et_maintenant(client_a.get(results_url(assessment)).content.decode())


def test_a_fragment_is_never_read_in_another_territory_under_the_same_key(in_a, territory_a, territory_b):
    def practice_change(text):
        return {
            "previous": {"submitted_at": timezone.now()},
            "practice_changes": [{"question": {"text": text}, "actions": ["Action"], "before": [], "after": ["Oui"]}],
        }

    def rendered(territory, text):
        connection.set_tenant(territory)
        template = "referentiel/results/_practice_changes.html"
        return str(cached_fragment("essai", (1, "même clé"), template, lambda: practice_change(text)))

    assert "Question de A" in rendered(territory_a, "Question de A")
    assert "Question de B" in rendered(territory_b, "Question de B")
    assert "Question de A" in rendered(territory_a, "autre")  # A's, read back
