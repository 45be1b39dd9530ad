"""Results, history and staff follow-up of assessments."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.enums import Role
from accounts.models import User
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership, Organisation
from referentiel.enums import AssessmentStatus, QuestionKind
from referentiel.models import Answer, Assessment
from referentiel.radar import format_score
from referentiel.services import (
    AnswerInput,
    compute_scores,
    current_version,
    save_answer,
    start_assessment,
    submit_assessment,
)
from referentiel.structure import structure_for

from ..conftest import TERRITORY_B

# Step on each theme's answers, from 0 (least advanced practice) to 3 (most advanced).
PICKS = {"PIL": 3, "ENE": 3, "DEC": 2, "MOB": 0, "ALI": 1, "EAU": 2, "BIO": 0}
THEMES = ("PIL", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO")


def make_user(email="camille@example.org", role=Role.PARTICIPANT):
    return User.objects.create_user(email, "Mot-de-passe-42", role=role, first_name="", last_name="")


def make_organisation(name="Boulangerie du Clain", member=None, kind=OrganisationKind.ENTREPRISE, **fields):
    data = {"naf_code": "10.71C", "headcount_band": "02", "commune": "Poitiers", **fields}
    organisation = Organisation.objects.create(name=name, kind=kind, **data)
    if member is not None:
        Membership.objects.create(user=member, organisation=organisation, role=MembershipRole.OWNER)
    return organisation


def answer_input(question, step):
    if question.kind == QuestionKind.NUMERIC:
        value = Decimal(step * 30) if question.band_list else Decimal("850.5")
        return AnswerInput(value=min(value, Decimal(100)) if question.unit == "%" else value)
    by_points = sorted(question.choice_list, key=lambda c: (c.points, c.order))
    if question.kind == QuestionKind.MULTIPLE:
        chosen = by_points[len(by_points) - step :] if step else []
        return AnswerInput(choice_ids=tuple(c.pk for c in chosen), explicit_none=not chosen)
    index = round(step / 3 * (len(by_points) - 1))
    return AnswerInput(choice_ids=(by_points[index].pk,))


def answered_assessment(organisation, user, picks=PICKS):
    assessment = start_assessment(organisation, user)
    for theme, questions in structure_for(assessment.version).themes_for(organisation):
        for question in questions:
            save_answer(assessment, question, user, answer_input(question, picks[theme.code]))
    return assessment


def submitted_assessment(organisation, user, picks=PICKS):
    return submit_assessment(answered_assessment(organisation, user, picks), user)


def level_of(score):
    return None if score is None else 1 + sum(score >= t for t in (25, 50, 75))


def stored_assessment(organisation, overall, scores, *, days_ago=0):
    """A submitted assessment written straight to the database, with its stored scores."""
    if not isinstance(scores, dict):
        scores = dict.fromkeys(THEMES, scores)
    return Assessment.objects.create(
        organisation=organisation,
        version=current_version(),
        status=AssessmentStatus.SUBMITTED,
        overall_score=None if overall is None else Decimal(str(overall)),
        level_rank=level_of(overall),
        theme_scores={
            code: {"score": score, "level": level_of(score), "answered": 6, "applicable": 6}
            for code, score in scores.items()
        },
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def results_url(assessment):
    return f"/auto-evaluations/{assessment.pk}/resultats/"


def section(html, heading):
    """The HTML between an h2 starting with `heading` and the next h2."""
    match = re.search(rf"<h2[^>]*>{re.escape(heading)}.*?</h2>(.*?)(?=<h2|\Z)", html, re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


@pytest.fixture
def member(in_a):
    return make_user()


@pytest.fixture
def organisation(member):
    return make_organisation(member=member)


@pytest.fixture
def staff(in_a):
    return make_user("equipe@territoire-a.example", role=Role.STAFF)


# --------------------------------------------------------------------------
# Results page
# --------------------------------------------------------------------------


def test_results_page_shows_level_score_chart_table_and_summary(client_a, member, organisation):
    assessment = submitted_assessment(organisation, member)
    structure = structure_for(assessment.version)
    client_a.force_login(member)

    response = client_a.get(results_url(assessment))

    assert response.status_code == 200
    html = response.content.decode()
    level = structure.level_name(assessment.level_rank)
    score = format_score(assessment.overall_score)
    assert level
    assert f"Niveau {level}" in html
    assert f"Votre organisation est au niveau {level} (score {score}/100)." in html
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert '<title id="radar-titre">Score par thème, sur 100</title>' in html
    assert "Scores par thème, sur 100 (données du graphique)" in html
    for theme, _questions in structure.themes_for(organisation):
        assert f'<th scope="row">{theme.title}</th>' in html
        stored = assessment.theme_scores[theme.code]["score"]
        assert f"{theme.title} : {format_score(stored)}/100" in html  # in the chart's description


def test_results_name_strengths_and_priorities_with_their_weakest_questions(client_a, member, organisation):
    assessment = submitted_assessment(organisation, member)
    client_a.force_login(member)

    html = client_a.get(results_url(assessment)).content.decode()

    strengths = section(html, "Points forts")
    priorities = section(html, "Priorités")
    assert "Énergie" in strengths
    assert "Pilotage de la performance environnementale" in strengths
    assert "Mobilité" not in strengths
    assert "Mobilité" in priorities
    assert "Biodiversité" in priorities
    assert "Énergie" not in priorities
    # The weakest questions of a priority theme are listed with the answer given.
    mobility = structure_for(assessment.version).theme_by_code("MOB")
    listed = [q for q in mobility.question_list if q.applies_to(organisation) and q.text in priorities]
    assert 1 <= len(listed) <= 3
    assert "0 % des points de la question" in priorities
    assert "Vos points forts : " in html
    assert "Vos priorités : " in html


def test_results_compare_each_theme_with_the_previous_assessment(client_a, member, organisation):
    stored_assessment(organisation, 40, {**dict.fromkeys(THEMES, 40), "PIL": 30, "ENE": 50}, days_ago=365)
    current = stored_assessment(organisation, 48, {**dict.fromkeys(THEMES, 48), "PIL": 38, "ENE": 45})
    client_a.force_login(member)

    html = client_a.get(results_url(current)).content.decode()

    evolution = section(html, "Évolution depuis l'auto-évaluation du")
    assert "Score global : de 40 à 48 (+8 points)." in evolution
    assert "Pilotage de la performance environnementale : de 30 à 38 (+8)" in evolution
    assert "Énergie : de 50 à 45 (-5)" in evolution
    assert "le score global a progressé de 8 points" in html
    assert "Auto-évaluation précédente" in html  # second series of the chart


def test_a_change_of_one_point_is_said_in_the_singular(client_a, member, organisation):
    stored_assessment(organisation, 47, 47, days_ago=365)
    current = stored_assessment(organisation, 48, 48)
    client_a.force_login(member)

    html = client_a.get(results_url(current)).content.decode()

    assert "Score global : de 47 à 48 (+1 point)." in section(html, "Évolution depuis l'auto-évaluation du")
    assert "le score global a progressé de 1 point." in html


def test_a_date_on_the_first_of_the_month_reads_1er(client_a, member, organisation):
    current = stored_assessment(organisation, 48, 48)
    Assessment.objects.filter(pk=current.pk).update(submitted_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    client_a.force_login(member)

    html = client_a.get(results_url(current)).content.decode()

    assert "Validée le 1er décembre 2026, sur le" in html


def test_results_without_a_previous_assessment_show_no_evolution(client_a, member, organisation):
    current = stored_assessment(organisation, 48, 48)
    client_a.force_login(member)

    html = client_a.get(results_url(current)).content.decode()

    assert "Évolution depuis" not in html
    assert "Auto-évaluation précédente" not in html


@pytest.mark.parametrize(("others", "shown"), [(3, False), (4, True)])
def test_same_kind_average_needs_five_organisations(client_a, member, organisation, others, shown):
    own = stored_assessment(organisation, 40, 40)
    for index in range(others):
        other = make_organisation(f"Entreprise {index}")
        if index == 0:  # only each organisation's latest assessment counts
            stored_assessment(other, 0, 0, days_ago=400)
        stored_assessment(other, 60, 60)
    # Neither another kind nor an assessment in progress counts.
    association = make_organisation("Association du quartier", kind=OrganisationKind.ASSOCIATION)
    stored_assessment(association, 0, 0)
    Assessment.objects.create(organisation=make_organisation("Entreprise en cours"), version=current_version())
    client_a.force_login(member)

    html = client_a.get(results_url(own)).content.decode()

    comparison = section(html, "Comparaison avec les entreprises du territoire")
    if shown:
        assert "Score global moyen : 56/100." in comparison
        assert "de 5 organisations (entreprises)" in comparison
        assert "Moyenne des entreprises du territoire" in html  # table column and chart legend
        assert "La moyenne des entreprises du territoire est de 56/100 (5 organisations)." in html
    else:
        assert "dès qu'au moins 5 entreprises du territoire auront validé" in comparison
        assert "Moyenne des entreprises du territoire" not in html
        assert "56" not in comparison


def test_results_read_the_scores_stored_at_submission(client_a, member, organisation):
    assessment = submitted_assessment(organisation, member)
    stored_text = f"(score {format_score(assessment.overall_score)}/100)"
    client_a.force_login(member)
    assert stored_text in client_a.get(results_url(assessment)).content.decode()

    # Someone rewrites every answer row after submission, to the best practice.
    for _theme, questions in structure_for(assessment.version).themes_for(organisation):
        for question in questions:
            data = answer_input(question, 3)
            Answer.objects.filter(assessment=assessment, question=question).update(
                choice_ids=list(data.choice_ids), value=data.value, explicit_none=False
            )
    recomputed = compute_scores(assessment, list(assessment.answers.all()))
    assert recomputed.overall != float(assessment.overall_score)  # the rows did change the arithmetic

    html = client_a.get(results_url(assessment)).content.decode()

    assert stored_text in html
    assert f"(score {format_score(recomputed.overall)}/100)" not in html


def test_results_of_an_assessment_in_progress_lead_back_to_the_questionnaire(client_a, member, organisation):
    assessment = start_assessment(organisation, member)
    client_a.force_login(member)

    response = client_a.get(results_url(assessment))

    assert response.status_code == 302
    assert response.url == f"/auto-evaluations/{assessment.pk}/"


# --------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------


def numeric_question(code):
    structure = structure_for(current_version())
    return next(q for q in structure.questions.values() if q.code == code and q.kind == QuestionKind.NUMERIC)


def test_history_lists_submitted_assessments_and_indicator_values(client_a, member, organisation):
    older = stored_assessment(organisation, 30, 30, days_ago=365)
    newer = stored_assessment(organisation, 55.5, 55.5)
    in_progress = start_assessment(organisation, member)
    energy = numeric_question("ENE-02")
    now = timezone.now()
    for assessment, value in ((older, Decimal("850.5")), (newer, Decimal("720"))):
        Answer.objects.create(assessment=assessment, question=energy, value=value, answered_by=member, answered_at=now)
    client_a.force_login(member)

    response = client_a.get(f"/organisations/{organisation.pk}/auto-evaluations/")

    assert response.status_code == 200
    html = response.content.decode()
    done = section(html, "Auto-évaluations validées")
    assert done.index(results_url(newer)) < done.index(results_url(older))  # newest first
    assert "<td>55,5</td>" in done
    assert "Engagement" in done
    assert "Maîtrise" in done
    assert f"/auto-evaluations/{in_progress.pk}/" in html
    assert "Reprendre l'auto-évaluation" in html
    indicators = section(html, "Indicateurs chiffrés")
    assert escape(energy.text) in indicators
    assert "(kWh/an)" in indicators
    assert indicators.index("<td>850,5</td>") < indicators.index("<td>720</td>")  # oldest first


def test_history_without_assessment_offers_to_start(client_a, member, organisation):
    client_a.force_login(member)

    html = client_a.get(f"/organisations/{organisation.pk}/auto-evaluations/").content.decode()

    assert "Aucune auto-évaluation validée pour l'instant." in html
    assert f'action="/organisations/{organisation.pk}/auto-evaluation/commencer/"' in html


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


@pytest.fixture
def territory_organisations(in_a):
    bakery = make_organisation("Boulangerie du Clain")
    stored_assessment(bakery, 40, 40)
    club = make_organisation(
        "Association Vélo Cité", kind=OrganisationKind.ASSOCIATION, naf_code="94.99Z", headcount_band="01"
    )
    Assessment.objects.create(organisation=club, version=current_version())
    hospital = make_organisation(
        "Centre hospitalier", kind=OrganisationKind.ETABLISSEMENT_PUBLIC, naf_code="86.10Z", headcount_band="41"
    )
    stored_assessment(hospital, 60, 60)
    Assessment.objects.create(organisation=hospital, version=current_version())
    joinery = make_organisation("Menuiserie Martin", naf_code="16.23Z", headcount_band="11")
    return {"bakery": bakery, "club": club, "hospital": hospital, "joinery": joinery}


NAMES = {
    "bakery": "Boulangerie du Clain",
    "club": "Association Vélo Cité",
    "hospital": "Centre hospitalier",
    "joinery": "Menuiserie Martin",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"bakery", "club", "hospital", "joinery"}),
        ("kind=entreprise", {"bakery", "joinery"}),
        ("naf_section=Q", {"hospital"}),
        ("headcount_band=41", {"hospital"}),
        ("level=2", {"bakery"}),
        ("level=3", {"hospital"}),
        ("level=none", {"club", "joinery"}),
        ("status=in_progress", {"club", "hospital"}),
        ("status=submitted", {"bakery"}),
        ("status=none", {"joinery"}),
        ("kind=entreprise&level=none", {"joinery"}),
        ("q=boulangerie", {"bakery"}),
    ],
)
def test_staff_list_filters_organisations(client_a, staff, territory_organisations, query, expected):
    client_a.force_login(staff)

    response = client_a.get(f"/gestion/auto-evaluations/?{query}")

    assert response.status_code == 200
    table = response.content.decode().split("<tbody>")[1]
    shown = {key for key, name in NAMES.items() if name in table}
    assert shown == expected


def test_staff_list_shows_latest_status_and_level(client_a, staff, territory_organisations):
    client_a.force_login(staff)

    html = client_a.get("/gestion/auto-evaluations/?q=hospitalier").content.decode()

    row = html.split("<tbody>")[1]
    assert "En cours" in row  # the latest assessment
    assert "3. Maîtrise" in row  # the level of the latest submitted one
    hospital = territory_organisations["hospital"]
    submitted = hospital.assessments.get(status=AssessmentStatus.SUBMITTED)
    assert f"/gestion/auto-evaluations/{submitted.pk}/" in row


def test_staff_list_query_count_does_not_grow_with_organisations(
    client_a, staff, territory_organisations, settings, django_assert_max_num_queries
):
    # Without it django-tenants repeats SET search_path before every query (see test_questionnaire.py).
    settings.TENANT_LIMIT_SET_CALLS = True
    client_a.force_login(staff)
    client_a.get("/gestion/auto-evaluations/")  # resolves the territory's host, cached afterwards

    # search_path, user, levels, count, page.
    with django_assert_max_num_queries(6) as few:
        assert client_a.get("/gestion/auto-evaluations/").status_code == 200

    for index in range(45):
        organisation = make_organisation(f"Organisation {index:02d}")
        stored_assessment(organisation, index, index)
        if index % 3 == 0:
            Assessment.objects.create(organisation=organisation, version=current_version())

    with django_assert_max_num_queries(len(few)):
        response = client_a.get("/gestion/auto-evaluations/?kind=entreprise")
    assert response.content.decode().count("/gestion/auto-evaluations/") > 45


def test_staff_detail_shows_every_question_answer_comment_author_and_date(client_a, staff, member, organisation):
    assessment = answered_assessment(organisation, member)
    structure = structure_for(assessment.version)
    food = next(q for q in structure.theme_by_code("ALI").question_list if q.allow_not_applicable)
    save_answer(assessment, food, member, AnswerInput(not_applicable=True))
    energy = structure.theme_by_code("ENE").question_list[0]
    save_answer(
        assessment,
        energy,
        member,
        AnswerInput(**{**answer_input(energy, 3).__dict__, "comment": "Audit fait en 2024."}),
    )
    assessment = submit_assessment(assessment, member)
    client_a.force_login(staff)

    response = client_a.get(f"/gestion/auto-evaluations/{assessment.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    applicable = [q for _theme, questions in structure.themes_for(organisation) for q in questions]
    for question in applicable:
        assert question.code in html
    best = max(energy.choice_list, key=lambda c: c.points)
    assert best.label.replace("'", "&#x27;") in html
    assert "Audit fait en 2024." in html
    assert "Non concerné" in html
    assert "Aucune de ces pratiques" in html  # a multiple-choice question answered with nothing ticked
    assert "850,5 kWh/an" in html
    assert member.email in html
    assert timezone.localtime(energy_answer_time(assessment, energy)).strftime("%H:%M") in html
    assert "L&#x27;organisation est au niveau" in html  # the results, in the staff's words
    # Read-only: nothing to submit, and writing is refused.
    assert "<textarea" not in html
    assert 'type="radio"' not in html
    assert client_a.post(f"/gestion/auto-evaluations/{assessment.pk}/").status_code == 405


def energy_answer_time(assessment, question):
    return Answer.objects.get(assessment=assessment, question=question).answered_at


def test_staff_detail_of_an_assessment_in_progress_has_no_results(client_a, staff, member, organisation):
    assessment = start_assessment(organisation, member)
    client_a.force_login(staff)

    html = client_a.get(f"/gestion/auto-evaluations/{assessment.pk}/").content.decode()

    assert "Cette auto-évaluation est en cours" in html
    assert "Sans réponse" in html
    assert "<svg" not in html


# --------------------------------------------------------------------------
# Isolation
# --------------------------------------------------------------------------


def test_another_organisation_member_cannot_see_results_or_history(client_a, member, organisation):
    assessment = stored_assessment(organisation, 40, 40)
    outsider = make_user("voisin@example.org")
    make_organisation("Voisin SARL", member=outsider)
    client_a.force_login(outsider)

    assert client_a.get(results_url(assessment)).status_code == 404
    assert client_a.get(f"/organisations/{organisation.pk}/auto-evaluations/").status_code == 404


@pytest.mark.parametrize("path", ["results", "history", "staff_list", "staff_detail"])
def test_anonymous_visitor_is_sent_to_login(client_a, organisation, path):
    assessment = stored_assessment(organisation, 40, 40)
    url = {
        "results": results_url(assessment),
        "history": f"/organisations/{organisation.pk}/auto-evaluations/",
        "staff_list": "/gestion/auto-evaluations/",
        "staff_detail": f"/gestion/auto-evaluations/{assessment.pk}/",
    }[path]

    response = client_a.get(url)

    assert response.status_code == 302
    assert "/connexion/" in response.url or "login" in response.url


def test_participant_cannot_open_staff_pages(client_a, member, organisation):
    assessment = stored_assessment(organisation, 40, 40)
    client_a.force_login(member)  # even a member of the organisation

    assert client_a.get("/gestion/auto-evaluations/").status_code == 404
    assert client_a.get(f"/gestion/auto-evaluations/{assessment.pk}/").status_code == 404


def test_territory_b_never_serves_territory_a_results(
    client_a, client_b, territory_a, territory_b, member, organisation
):
    assessment = stored_assessment(organisation, 40, 40)
    participant_client_b = Client(HTTP_HOST=TERRITORY_B.domain)
    # Accounts and sessions live in each territory's schema: log in on B from B.
    connection.set_tenant(territory_b)
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    client_b.force_login(make_user("equipe@territoire-b.example", role=Role.ADMIN))
    participant_client_b.force_login(make_user("camille@example.org"))  # same address, B's own account

    assert client_b.get(f"/gestion/auto-evaluations/{assessment.pk}/").status_code == 404
    assert "Boulangerie du Clain" not in client_b.get("/gestion/auto-evaluations/").content.decode()
    assert participant_client_b.get(results_url(assessment)).status_code == 404
    assert participant_client_b.get(f"/organisations/{organisation.pk}/auto-evaluations/").status_code == 404


def test_staff_list_shows_how_far_an_assessment_in_progress_is(client_a, staff, member, organisation):
    assessment = start_assessment(organisation, member)
    themes = structure_for(assessment.version).themes_for(organisation)
    total = sum(len(questions) for _theme, questions in themes)
    for question in themes[0][1][:3]:
        save_answer(assessment, question, member, answer_input(question, 1))
    client_a.force_login(staff)

    row = client_a.get("/gestion/auto-evaluations/").content.decode().split("<tbody>")[1]

    assert f"3 sur {total} questions" in row
