"""Recommended actions on the results page and the organisation's space, and the loop from a completed
plan item back to the next assessment (toolbox/recommendations.py, toolbox/practice_changes.py)."""

import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from referentiel.models import Answer
from referentiel.results import forget_kind_averages
from referentiel.structure import answer_spec, question_spec, structure_for
from toolbox import recommend
from toolbox.enums import PlanStatus
from toolbox.models import Action, ActionQuestion, PlanItem
from toolbox.recommendations import KEPT_PER_THEME, profile_of, recommendations_for
from toolbox.revisions import TOOLBOX, completions_key

from ..conftest import TERRITORY_B
from ..referentiel.test_results import (
    PICKS,
    answered_assessment,
    make_organisation,
    make_user,
    results_url,
    section,
    submitted_assessment,
)
from .factories import ActionFactory, ActionQuestionFactory, PlanItemFactory

# With PICKS the priorities are MOB, BIO (at the bottom of every ladder) and ALI; PIL and ENE are at the top.


def linked_action(code, question_code, up_to_step=2, **fields):
    action = ActionFactory(code=code, main_theme=question_code.split("-")[0], **fields)
    ActionQuestionFactory(action=action, question_code=question_code, up_to_step=up_to_step)
    return action


def first_label(assessment, code):
    question = next(q for q in structure_for(assessment.version).questions.values() if q.code == code)
    return question, min(question.choice_list, key=lambda c: c.points).label


def et_maintenant(html):
    return section(html, "Et maintenant ?")


@pytest.fixture(autouse=True)
def empty_toolbox(in_a):
    """These tests bring their own actions: the national toolbox installed at provisioning goes
    (inside the test's transaction, rolled back after it)."""
    PlanItem.objects.all().delete()
    ActionQuestion.objects.all().delete()
    Action.objects.all().delete()


@pytest.fixture
def member(in_a):
    return make_user()


@pytest.fixture
def organisation(member):
    return make_organisation(member=member)


def test_results_recommend_actions_of_priority_themes_with_their_reason(client_a, member, organisation):
    linked_action("MOB-A01", "MOB-01", title="Faire l'enquête mobilité")
    assessment = submitted_assessment(organisation, member)
    question, label = first_label(assessment, "MOB-01")
    client_a.force_login(member)

    html = client_a.get(results_url(assessment)).content.decode()

    part = et_maintenant(html)
    assert "Mobilité" in part
    assert '<a href="/boite-a-outils/MOB-A01/">Faire l&#x27;enquête mobilité</a>' in part
    assert f"Parce que vous avez répondu « {label} » à « {question.text} »." in part.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("fields", "question_code", "shown"),
    [
        ({}, "MOB-01", True),
        ({"hidden": True}, "MOB-01", False),
        ({}, "PIL-01", False),  # answered at the top of its ladder
        ({}, "ENE-99", False),  # no such question
        ({"main_theme": "PIL"}, "MOB-01", False),  # PIL is no priority
        ({"main_theme": "PIL", "themes": ["BIO"]}, "MOB-01", True),  # ...but it also serves BIO
    ],
)
def test_which_actions_are_recommended(client_a, member, organisation, fields, question_code, shown):
    action = ActionFactory(code="ZZZ-A01", **{"main_theme": "MOB", **fields})
    ActionQuestionFactory(action=action, question_code=question_code, up_to_step=3)
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)

    html = client_a.get(results_url(assessment)).content.decode()

    assert ("/boite-a-outils/ZZZ-A01/" in et_maintenant(html)) is shown


def test_actions_already_in_the_plan_are_not_recommended_but_another_organisations_plan_does_not_count(
    client_a, member, organisation
):
    planned = linked_action("MOB-A01", "MOB-01")
    neighbours = linked_action("MOB-A02", "MOB-01")
    PlanItemFactory(organisation=organisation, action=planned, status=PlanStatus.ABANDONED)
    PlanItemFactory(organisation=make_organisation("Voisin SARL"), action=neighbours)
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)

    part = et_maintenant(client_a.get(results_url(assessment)).content.decode())

    assert "/boite-a-outils/MOB-A01/" not in part
    assert "/boite-a-outils/MOB-A02/" in part


def test_a_few_actions_per_theme_best_first(client_a, member, organisation):
    for n in range(1, 6):
        linked_action(f"MOB-A{n:02d}", "MOB-01")
    # A fit on the organisation's NAF division (10.71C) ranks first.
    linked_action("MOB-A09", "MOB-01", naf_codes=["10"])
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)

    part = et_maintenant(client_a.get(results_url(assessment)).content.decode())

    assert re.findall(r"/boite-a-outils/(MOB-A\d\d)/", part) == ["MOB-A09", "MOB-A01", "MOB-A02"]


def test_the_database_narrowing_agrees_with_the_pure_ranking(member, organisation):
    """The SQL pre-filter (links whose up_to_step an answer reaches) must not change what the pure ranking says."""
    rng = random.Random(7)
    picks = {theme: rng.randint(0, 2) for theme in PICKS}
    assessment = submitted_assessment(organisation, member, picks)
    structure = structure_for(assessment.version)
    codes = [q.code for _theme, questions in structure.themes_for(organisation) for q in questions] + ["XXX-01"]
    themes = [theme.code for theme in structure.themes]
    actions = []
    for n in range(60):
        action = ActionFactory(
            code=f"R-{n:03d}",
            main_theme=rng.choice(themes),
            themes=rng.sample(themes, rng.randint(0, 2)),
            levels=rng.sample([1, 2, 3, 4], rng.randint(0, 2)),
            naf_codes=rng.sample(["C", "10", "47", "G"], rng.randint(0, 2)),
            hidden=rng.random() < 0.1,
        )
        for code in rng.sample(codes, rng.randint(1, 3)):
            ActionQuestionFactory(action=action, question_code=code, up_to_step=rng.randint(1, 4))
        actions.append(action)
    answers = list(Answer.objects.filter(assessment=assessment))
    by_question = {a.question_id: a for a in answers}
    questions = {}
    for _theme, theme_questions in structure.themes_for(organisation):
        for question in theme_questions:
            answer = by_question.get(question.pk)
            given = None if answer is None else answer_spec(answer)
            questions[question.code] = recommend.QuestionInput(
                question.code, question.text, question_spec(question), given
            )
    everything = [
        recommend.Candidate(
            code=a.code,
            main_theme=a.main_theme,
            themes=tuple(a.themes),
            levels=tuple(a.levels),
            naf_codes=tuple(a.naf_codes),
            links=tuple(recommend.Link(link.question_code, link.up_to_step) for link in a.question_links.all()),
        )
        for a in actions
        if not a.hidden
    ]
    expected = recommend.recommend_by_theme(
        profile_of(organisation, assessment.level_rank), themes, questions, everything, per_theme=100
    )

    found = recommendations_for(assessment, structure, answers, themes, per_theme=100)

    got = {group.theme.code: [(a.code, len(a.reasons)) for a in group.actions] for group in found}
    assert got == {theme: [(r.code, len(r.reasons)) for r in items] for theme, items in expected.items() if items}
    assert any(got.values())


def touch(revision):
    """What a write does to a revision (toolbox/revisions.py): every fragment and ranking keyed on it is forgotten."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT toolbox_touch(%s)", [revision])


def counted(client, url, assert_max):
    """Queries of a request that ranks (the cached ranking forgotten), then of one that reads the ranking back."""
    touch(TOOLBOX)
    with assert_max(60) as ranking:
        assert client.get(url).status_code == 200
    with assert_max(60) as cached:
        html = client.get(url).content.decode()
    return len(ranking), len(cached), html


def counted_results(client, url, organisation, assert_max):
    """Queries of a results page rendered whole (the ranking, the kept summary and practice changes
    forgotten), then with the ranking only forgotten, then read back whole."""
    touch(TOOLBOX)  # the ranking's key
    forget_kind_averages()  # the summary's key
    touch(completions_key(organisation.pk))  # the practice changes' key: what a completion does
    with assert_max(60) as everything:
        assert client.get(url).status_code == 200
    return len(everything), *counted(client, url, assert_max)


def test_results_query_count_does_not_grow_with_the_toolbox(
    client_a, member, organisation, settings, django_assert_max_num_queries
):
    settings.TENANT_LIMIT_SET_CALLS = True
    linked_action("MOB-A01", "MOB-01")
    previous = submitted_assessment(organisation, member)
    assert previous.submitted_at < timezone.now()
    complete(organisation, linked_action("BIO-A01", "BIO-01"), timezone.now())
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    url = results_url(assessment)
    client_a.get(url)  # warms the structure caches

    few = counted_results(client_a, url, organisation, django_assert_max_num_queries)
    for n in range(60):
        action = linked_action(f"MOB-B{n:02d}", "MOB-01", themes=["BIO"])
        ActionQuestionFactory(action=action, question_code="BIO-01", up_to_step=3)
        if n % 6 == 0:
            PlanItemFactory(organisation=organisation, action=linked_action(f"ALI-B{n:02d}", "ALI-01"))
    *many, html = counted_results(client_a, url, organisation, django_assert_max_num_queries)

    assert many == list(few[:3])
    everything, ranking, cached, _html = few
    # A change of the toolbox renders the recommendations again (the answers', the candidates' and the
    # shown actions' queries) and the practice changes (their three: the question links may have moved);
    # read back rendered, they save them; the kept summary, its own.
    assert cached == ranking - 6
    assert cached < everything - 1
    assert "/boite-a-outils/MOB-B00/" in html
    assert "Vos actions réalisées et vos réponses" in html


def test_cached_ranking_follows_the_plan_the_toolbox_and_hidden_actions(client_a, member, organisation):
    first = linked_action("MOB-A01", "MOB-01")
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    url = results_url(assessment)

    def shown():
        return re.findall(r"/boite-a-outils/(MOB-A\d\d)/", et_maintenant(client_a.get(url).content.decode()))

    assert shown() == ["MOB-A01"]
    linked_action("MOB-A02", "MOB-01")  # the toolbox's revision moves: the kept ranking is left aside
    assert shown() == ["MOB-A01", "MOB-A02"]
    PlanItemFactory(organisation=organisation, action=first)  # the plan is read on every request
    assert shown() == ["MOB-A02"]
    # A bulk update sends no signal: the stale ranking still never shows a hidden action.
    Action.objects.filter(code="MOB-A02").update(hidden=True)
    assert shown() == []


def test_when_the_plan_holds_most_ranked_actions_the_next_ones_are_found(client_a, member, organisation):
    actions = [linked_action(f"MOB-A{n:02d}", "MOB-01") for n in range(KEPT_PER_THEME + 3)]
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)
    client_a.get(results_url(assessment))  # ranked and cached with the first KEPT_PER_THEME
    PlanItem.objects.bulk_create(
        PlanItem(organisation=organisation, action=action, title=action.title) for action in actions[:KEPT_PER_THEME]
    )

    html = et_maintenant(client_a.get(results_url(assessment)).content.decode())

    assert re.findall(r"/boite-a-outils/(MOB-A\d\d)/", html) == [a.code for a in actions[KEPT_PER_THEME:]]


def test_territory_b_actions_and_plans_never_reach_territory_a(
    client_a, territory_a, territory_b, member, organisation
):
    assessment = submitted_assessment(organisation, member)
    connection.set_tenant(territory_b)
    linked_action("MOB-B01", "MOB-01", title="Action du territoire B")
    connection.set_tenant(territory_a)
    client_a.force_login(member)

    assert "Action du territoire B" not in client_a.get(results_url(assessment)).content.decode()
    # And B's host does not serve A's results, recommendations included.
    client_b = Client(HTTP_HOST=TERRITORY_B.domain)
    assert client_b.get(results_url(assessment)).status_code in (302, 404)


# --------------------------------------------------------------------------
# The organisation's space
# --------------------------------------------------------------------------


def test_space_shows_open_plan_items_overdue_first_and_recommended_actions(client_a, member, organisation):
    today = timezone.localdate()
    PlanItemFactory(organisation=organisation, action=None, title="Plus tard", target_date=today + timedelta(days=30))
    PlanItemFactory(organisation=organisation, action=None, title="Sans échéance")
    PlanItemFactory(organisation=organisation, action=None, title="En retard", target_date=today - timedelta(days=3))
    PlanItemFactory(organisation=organisation, action=None, title="Déjà faite", status=PlanStatus.DONE)
    linked_action("MOB-A01", "MOB-01", title="Faire l'enquête mobilité")
    submitted_assessment(organisation, member)
    client_a.force_login(member)

    html = client_a.get(f"/organisations/{organisation.pk}/").content.decode()

    plan = section(html, "Mon plan d'actions")
    assert re.findall(r'<li><a href="[^"]+">(Plus tard|Sans échéance|En retard|Déjà faite)</a> ', plan) == [
        "En retard",
        "Plus tard",
        "Sans échéance",
    ]
    assert plan.count("fr-badge--warning") == 1
    assert "/boite-a-outils/MOB-A01/" in section(html, "Actions recommandées")


def test_space_without_assessment_or_plan(client_a, member, organisation):
    linked_action("MOB-A01", "MOB-01")
    client_a.force_login(member)

    html = client_a.get(f"/organisations/{organisation.pk}/").content.decode()

    assert "Aucune action en cours ou à lancer dans votre plan." in html
    assert "Actions recommandées" not in html


def test_space_query_count_does_not_grow_with_plan_or_toolbox(
    client_a, member, organisation, settings, django_assert_max_num_queries
):
    settings.TENANT_LIMIT_SET_CALLS = True
    submitted_assessment(organisation, member)
    linked_action("MOB-A01", "MOB-01")
    client_a.force_login(member)
    url = f"/organisations/{organisation.pk}/"
    client_a.get(url)

    few = counted(client_a, url, django_assert_max_num_queries)[:2]
    for n in range(20):
        linked_action(f"MOB-B{n:02d}", "MOB-01")
        PlanItemFactory(organisation=organisation, action=linked_action(f"BIO-B{n:02d}", "BIO-01"))
    many_ranking, many_cached, html = counted(client_a, url, django_assert_max_num_queries)

    assert (many_ranking, many_cached) == few
    assert "/boite-a-outils/MOB-B00/" in html


# --------------------------------------------------------------------------
# Closing the loop
# --------------------------------------------------------------------------


def complete(organisation, action, when):
    return PlanItemFactory(organisation=organisation, action=action, status=PlanStatus.DONE, completed_at=when)


def test_next_questionnaire_asks_whether_practice_changed_after_completed_actions(client_a, member, organisation):
    first = submitted_assessment(organisation, member)
    complete(organisation, linked_action("MOB-A01", "MOB-01", title="Faire l'enquête mobilité"), timezone.now())
    # Completed before the last assessment: already taken into account, not flagged.
    complete(
        organisation,
        linked_action("MOB-A02", "MOB-01", title="Action ancienne"),
        first.submitted_at - timedelta(days=1),
    )
    # Not done yet: not flagged.
    PlanItemFactory(organisation=organisation, action=linked_action("MOB-A03", "MOB-03"), status=PlanStatus.IN_PROGRESS)
    second = answered_assessment(organisation, member)
    question, _label = first_label(second, "MOB-01")
    client_a.force_login(member)

    html = client_a.get(f"/auto-evaluations/{second.pk}/themes/MOB/").content.decode()

    fieldset = re.search(rf'<fieldset[^>]*id="question-{question.pk}".*?</fieldset>', html, re.S).group(0)
    assert "Vous avez réalisé « Faire l&#x27;enquête mobilité » : votre pratique a-t-elle changé ?" in fieldset
    assert html.count("votre pratique a-t-elle changé ?") == 1
    assert "Action ancienne" not in html


def test_first_questionnaire_flags_nothing(client_a, member, organisation):
    complete(organisation, linked_action("MOB-A01", "MOB-01"), timezone.now())
    assessment = answered_assessment(organisation, member)
    client_a.force_login(member)

    assert (
        "votre pratique a-t-elle changé"
        not in client_a.get(f"/auto-evaluations/{assessment.pk}/themes/MOB/").content.decode()
    )


def test_results_show_how_answers_moved_on_questions_of_completed_actions(client_a, member, organisation):
    first = submitted_assessment(organisation, member)
    complete(organisation, linked_action("MOB-A01", "MOB-01", title="Faire l'enquête mobilité"), timezone.now())
    complete(organisation, linked_action("BIO-A01", "BIO-01"), first.submitted_at - timedelta(days=1))
    second = submitted_assessment(organisation, member, {**PICKS, "MOB": 3})
    # Completed after the second assessment: for the next one, not this one.
    complete(organisation, linked_action("MOB-A02", "MOB-03", title="Action suivante"), timezone.now())
    question = next(q for q in structure_for(second.version).questions.values() if q.code == "MOB-01")
    lowest = min(question.choice_list, key=lambda c: c.points).label
    highest = max(question.choice_list, key=lambda c: c.points).label
    client_a.force_login(member)

    html = client_a.get(results_url(second)).content.decode().replace("&#x27;", "'")

    part = section(html, "Vos actions réalisées et vos réponses")
    assert question.text in part
    assert "Action réalisée : « Faire l'enquête mobilité »." in part
    assert f"Réponse précédente : {lowest} → réponse actuelle : {highest}" in part
    assert part.count("Action réalisée") == 1
    assert "Action suivante" not in part
    # The first assessment's results know nothing of what came after.
    assert "Vos actions réalisées" not in client_a.get(results_url(first)).content.decode()
