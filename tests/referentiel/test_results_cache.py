"""The results page keeps its summary rendered until the averages (or what else it shows) move, and its
practice changes until the plan does (referentiel/views/results.py); a fragment kept for one territory is
never read in another (assett/fragments.py)."""

import pytest
from django.db import connection
from django.utils import timezone

from assett.fragments import cached_fragment
from referentiel import results as results_module
from referentiel.results import forget_kind_averages

from ..toolbox.test_recommendations import complete, linked_action
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


def test_the_summary_shows_new_averages_once_a_submission_moves_them(client_a, member, organisation, monkeypatch):
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    assert "Score global moyen" not in client_a.get(results_url(assessment)).content.decode()

    average = {"overall": 42.0, "organisations": 7, "themes": {}}
    monkeypatch.setattr(results_module, "_compute_kind_average", lambda kind, codes: average)
    forget_kind_averages()  # what a submission does on commit

    assert "Score global moyen : 42" in client_a.get(results_url(assessment)).content.decode()


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
