"""The participant's questionnaire: start, one theme per page, autosave, review, submit."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Membership
from organisations.services import create_organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Answer, Assessment, Question
from referentiel.services import (
    AnswerInput,
    AssessmentError,
    compute_scores,
    current_version,
    save_answer,
    start_assessment,
    submit_assessment,
)
from referentiel.structure import structure_for

from ..conftest import TERRITORY_A

PASSWORD = "Mot-de-passe-42"
HTMX = {"HTTP_HX_REQUEST": "true"}


# -- helpers shared with test_questionnaire_isolation.py --------------------------------------------------------------


def participant(email="camille@example.org"):
    user = User.objects.create_user(email, PASSWORD)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def organisation_for(owner, name="Menuiserie du Clain", kind=OrganisationKind.ENTREPRISE, headcount_band="12"):
    return create_organisation(
        owner,
        name=name,
        kind=kind,
        siret=demo_siret(random.Random(name)),
        naf_code="16.23Z",
        headcount_band=headcount_band,
        commune="Poitiers",
    )


def member_of(organisation, email):
    user = participant(email)
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.MEMBER)
    return user


def question(code):
    return Question.objects.get(version=current_version(), code=code)


def first_choice(code, position=0):
    return question(code).choices.order_by("order", "pk")[position]


def theme_url(assessment, code):
    return f"/auto-evaluations/{assessment.pk}/themes/{code}/"


def autosave_url(assessment, question):
    return f"/auto-evaluations/{assessment.pk}/questions/{question.pk}/"


def answer(assessment, code, user, **data):
    return save_answer(
        assessment, structure_for(assessment.version).questions[question(code).pk], user, AnswerInput(**data)
    )


@pytest.fixture
def owner(in_a):
    return participant()


@pytest.fixture
def organisation(owner):
    return organisation_for(owner)


@pytest.fixture
def assessment(organisation, owner):
    return start_assessment(organisation, owner)


@pytest.fixture
def client(client_a, owner):
    client_a.force_login(owner)
    return client_a


# -- start ------------------------------------------------------------------------------------------------------------


def test_member_starts_an_assessment_and_lands_on_the_first_theme(client, organisation):
    response = client.post(f"/organisations/{organisation.pk}/auto-evaluation/commencer/", follow=True)

    assessment = Assessment.objects.get(organisation=organisation)
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert assessment.version == current_version()
    assert response.redirect_chain[-1][0] == theme_url(assessment, "PIL")
    assert "Thème 1 sur 7" in response.content.decode()


def test_start_is_idempotent_and_shared_by_the_members_of_the_organisation(client, client_a, organisation, owner):
    url = f"/organisations/{organisation.pk}/auto-evaluation/commencer/"
    first = client.post(url)
    again = client.post(url)
    colleague = member_of(organisation, "dominique@example.org")
    client_a.force_login(colleague)
    theirs = client_a.post(url)

    assessment = Assessment.objects.get(organisation=organisation)
    assert first["Location"] == again["Location"] == theirs["Location"] == f"/auto-evaluations/{assessment.pk}/"
    assert Assessment.objects.count() == 1


def test_start_needs_a_post(client, organisation):
    """GET only shows the start page (the choice of a starting point after a validated one)."""
    response = client.get(f"/organisations/{organisation.pk}/auto-evaluation/commencer/")
    assert response.status_code == 200
    assert not Assessment.objects.exists()
    assert "Retour à la Menuiserie du Clain</a>" in response.content.decode()  # its link back, in French


# -- only applicable questions ----------------------------------------------------------------------------------------


def test_an_association_sees_its_own_variants_and_not_the_business_ones(client, owner):
    association = organisation_for(owner, name="Vélo Solidaire", kind=OrganisationKind.ASSOCIATION)
    assessment = start_assessment(association, owner)

    page = client.get(theme_url(assessment, "PIL")).content.decode()

    assert f'id="question-{question("PIL-02-ASSO").pk}"' in page
    assert f'id="question-{question("PIL-02").pk}"' not in page
    assert f'id="question-{question("PIL-02-PUB").pk}"' not in page


@pytest.mark.parametrize(("band", "shown"), [("12", False), ("41", True)])
def test_questions_for_large_organisations_follow_the_headcount_band(client, owner, band, shown):
    organisation = organisation_for(owner, name=f"Scierie {band}", headcount_band=band)
    assessment = start_assessment(organisation, owner)

    page = client.get(theme_url(assessment, "PIL")).content.decode()

    assert (f'id="question-{question("PIL-04").pk}"' in page) is shown
    assert f'id="question-{question("PIL-01").pk}"' in page


def test_autosave_refuses_a_question_that_does_not_apply(client, assessment):
    not_for_businesses = question("PIL-02-ASSO")
    response = client.post(
        autosave_url(assessment, not_for_businesses), {f"q{not_for_businesses.pk}-choice": ""}, **HTMX
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_unknown_theme_is_a_404(client, assessment):
    assert client.get(theme_url(assessment, "NOPE")).status_code == 404


# -- the theme page ---------------------------------------------------------------------------------------------------


def test_theme_page_shows_the_theme_the_stepper_the_progress_and_each_question(client, assessment, owner):
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01", 2).pk,))

    page = client.get(theme_url(assessment, "ENE")).content.decode()

    ladder, numeric = question("ENE-01"), question("ENE-02")
    assert "Énergie" in page
    assert "Thème 2 sur 7" in page
    assert '<progress class="fr-col-12" max="' in page
    assert "1 question répondue sur" in page
    assert f'<legend class="fr-fieldset__legend" id="q{ladder.pk}-legend">' in page
    assert f'name="q{ladder.pk}-choice"' in page and 'class="fr-radio-group"' in page
    assert f'name="q{numeric.pk}-value"' in page and "Valeur (en kWh/an)" in page
    assert f'id="q{ladder.pk}-status" aria-live="polite"' in page
    assert f'data-hx-post="{autosave_url(assessment, ladder)}" data-hx-trigger="change"' in page
    assert f'name="q{ladder.pk}-comment"' in page
    assert '"X-CSRFToken": "' in page
    assert "Thème précédent" in page and "Enregistrer et continuer" in page


def test_side_menu_gives_each_theme_its_progress_and_marks_the_current_one(client, assessment, owner):
    themes = structure_for(assessment.version).themes_for(assessment.organisation)
    (pilotage, pil_questions), (energy, ene_questions) = themes[0], themes[1]
    for q in pil_questions:  # the whole first theme
        answer(
            assessment,
            q.code,
            owner,
            **({"value": Decimal(1)} if q.kind == "numeric" else {"choice_ids": (q.choice_list[0].pk,)}),
        )
    answer(assessment, ene_questions[0].code, owner, choice_ids=(ene_questions[0].choice_list[0].pk,))

    page = client.get(theme_url(assessment, "ENE")).content.decode()

    assert (
        f'<a class="fr-sidemenu__link" href="{theme_url(assessment, "PIL")}">'
        f"{escape(pilotage.title)} ({len(pil_questions)} sur {len(pil_questions)}, terminé)</a>"
    ) in page
    assert (
        f'<a class="fr-sidemenu__link" href="{theme_url(assessment, "ENE")}" aria-current="page">'
        f"{escape(energy.title)} (1 sur {len(ene_questions)})</a>"
    ) in page


def test_not_applicable_is_offered_only_where_the_question_allows_it(client, assessment):
    page = client.get(theme_url(assessment, "ENE")).content.decode()

    assert f'id="q{question("ENE-03").pk}-choice-na"' in page  # allow_not_applicable: true
    assert f'id="q{question("ENE-01").pk}-choice-na"' not in page


def test_multiple_choice_question_offers_none_of_these_practices(client, assessment):
    multiple = question("PIL-06")
    page = client.get(theme_url(assessment, "PIL")).content.decode()

    assert f'name="q{multiple.pk}-none"' in page
    assert "Aucune de ces pratiques" in page
    assert 'class="fr-checkbox-group"' in page


def test_saved_answers_are_checked_when_the_page_is_shown_again(client, assessment, owner):
    chosen = first_choice("PIL-01", 2)
    answer(assessment, "PIL-01", owner, choice_ids=(chosen.pk,), comment="Voir le compte rendu du CODIR")

    page = client.get(theme_url(assessment, "PIL")).content.decode()

    assert f'value="{chosen.pk}" checked' in page
    assert "Voir le compte rendu du CODIR</textarea>" in page
    assert "Enregistré le" in page


def test_theme_page_query_count(client, assessment, owner, django_assert_num_queries):
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    client.get(theme_url(assessment, "PIL"))  # warms the referential's structure, cached per process

    # The user, the assessment with its organisation (membership checked in the same query), its answers,
    # the plan's actions completed since the last submitted assessment (toolbox/practice_changes.py).
    with django_assert_num_queries(4):
        response = client.get(theme_url(assessment, "PIL"))

    assert response.status_code == 200


# -- autosave ---------------------------------------------------------------------------------------------------------


def test_autosave_saves_the_answer_and_records_who_and_when(client, assessment, organisation, owner):
    ladder = question("DEC-01")
    chosen = first_choice("DEC-01", 1)
    before = timezone.now()

    response = client.post(autosave_url(assessment, ladder), {f"q{ladder.pk}-choice": str(chosen.pk)}, **HTMX)

    assert response.status_code == 200
    assert "Enregistré à" in response.content.decode()
    saved = Answer.objects.get(assessment=assessment, question=ladder)
    assert saved.choice_ids == [chosen.pk]
    assert saved.answered_by == owner
    assert before <= saved.answered_at <= timezone.now()
    assessment.refresh_from_db()
    assert assessment.last_theme.code == "DEC"

    colleague = member_of(organisation, "dominique@example.org")
    theirs = Client(HTTP_HOST=TERRITORY_A.domain)
    theirs.force_login(colleague)
    theirs.post(autosave_url(assessment, ladder), {f"q{ladder.pk}-choice": str(first_choice("DEC-01", 3).pk)}, **HTMX)
    saved.refresh_from_db()
    assert saved.answered_by == colleague
    assert "par dominique@example.org" in client.get(theme_url(assessment, "DEC")).content.decode()


def test_autosave_updates_the_progress_bar_and_the_side_menu_out_of_band(client, assessment, owner):
    themes = structure_for(assessment.version).themes_for(assessment.organisation)
    total = sum(len(questions) for _theme, questions in themes)
    energy = dict((theme.code, questions) for theme, questions in themes)["ENE"]
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    answer(assessment, energy[1].code, owner, comment="Pas encore mesuré")  # a comment alone answers nothing
    ladder = energy[0]

    html = client.post(
        autosave_url(assessment, ladder), {f"q{ladder.pk}-choice": str(ladder.choice_list[0].pk)}, **HTMX
    ).content.decode()

    assert html.startswith('<p class="fr-message fr-message--valid">Enregistré à')
    assert '<ul class="fr-sidemenu__list" id="assessment-themes" data-hx-swap-oob="true">' in html
    assert f"(1 sur {len(energy)})</a>" in html
    assert '<div id="assessment-progress" data-hx-swap-oob="true">' in html
    assert f"2 questions répondues sur {total}" in html
    assert f'<progress class="fr-col-12" max="{total}" value="2"' in html


def test_autosave_of_an_invalid_answer_leaves_the_progress_alone(client, assessment):
    numeric = question("ENE-02")

    html = client.post(autosave_url(assessment, numeric), {f"q{numeric.pk}-value": "douze"}, **HTMX).content.decode()

    assert "Indiquez un nombre." in html
    assert "hx-swap-oob" not in html


def test_a_saved_answer_knows_every_answered_question_of_its_assessment(assessment, owner):
    first = answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    assert first.answered_question_ids == {question("PIL-01").pk}

    comment_only = answer(assessment, "PIL-02", owner, comment="À faire")
    assert comment_only.answered_question_ids == {question("PIL-01").pk}

    not_concerned = answer(assessment, "ENE-03", owner, not_applicable=True)
    assert not_concerned.answered_question_ids == {question("PIL-01").pk, question("ENE-03").pk}

    cleared = answer(assessment, "PIL-01", owner)  # the choice taken back
    assert cleared.answered_question_ids == {question("ENE-03").pk}


def test_autosave_keeps_a_comment_alone(client, assessment):
    ladder = question("DEC-02")
    client.post(autosave_url(assessment, ladder), {f"q{ladder.pk}-comment": "  À voir avec le prestataire  "}, **HTMX)

    saved = Answer.objects.get(question=ladder)
    assert saved.comment == "À voir avec le prestataire"
    assert not saved.is_answered


def test_autosave_reads_only_its_own_question_from_the_whole_form(client, assessment):
    ladder, other = question("DEC-01"), question("DEC-02")
    data = {
        f"q{ladder.pk}-choice": str(first_choice("DEC-01").pk),
        f"q{other.pk}-choice": str(first_choice("DEC-02").pk),
    }
    client.post(autosave_url(assessment, ladder), data, **HTMX)

    assert list(Answer.objects.values_list("question_id", flat=True)) == [ladder.pk]


def test_autosave_without_javascript_redirects_back_to_the_question(client, assessment):
    ladder = question("DEC-01")
    response = client.post(autosave_url(assessment, ladder), {f"q{ladder.pk}-choice": str(first_choice("DEC-01").pk)})

    assert response.status_code == 302
    assert response["Location"] == f"{theme_url(assessment, 'DEC')}#question-{ladder.pk}"
    assert Answer.objects.filter(question=ladder).exists()


def test_unticking_every_box_of_a_multiple_choice_clears_the_answer(client, assessment, owner):
    multiple = question("PIL-06")
    answer(assessment, "PIL-06", owner, choice_ids=(first_choice("PIL-06").pk,))

    client.post(autosave_url(assessment, multiple), {}, **HTMX)

    saved = Answer.objects.get(question=multiple)
    assert saved.choice_ids == []
    assert not saved.is_answered


def test_none_of_these_practices_is_an_answer_and_excludes_ticked_boxes(client, assessment):
    multiple = question("PIL-06")
    url = autosave_url(assessment, multiple)

    both = client.post(
        url, {f"q{multiple.pk}-none": "on", f"q{multiple.pk}-choice": str(first_choice("PIL-06").pk)}, **HTMX
    )
    assert "pas les deux" in both.content.decode()
    assert not Answer.objects.exists()

    client.post(url, {f"q{multiple.pk}-none": "on"}, **HTMX)
    saved = Answer.objects.get(question=multiple)
    assert saved.explicit_none and saved.is_answered


@pytest.mark.parametrize(
    ("typed", "stored"), [("12,5", Decimal("12.5")), ("12 500", Decimal("12500")), ("3.75", Decimal("3.75"))]
)
def test_numbers_are_read_the_french_way(client, assessment, typed, stored):
    numeric = question("ENE-02")
    response = client.post(autosave_url(assessment, numeric), {f"q{numeric.pk}-value": typed}, **HTMX)

    assert "Enregistré à" in response.content.decode()
    assert Answer.objects.get(question=numeric).value == stored


@pytest.mark.parametrize(
    ("typed", "message"), [("abc", "Indiquez un nombre."), ("NaN", "Indiquez un nombre."), ("-3", "positif ou nul")]
)
def test_invalid_number_is_explained_in_french_and_changes_nothing(client, assessment, owner, typed, message):
    numeric = question("ENE-02")
    saved = answer(assessment, "ENE-02", owner, value=Decimal("10"))

    response = client.post(autosave_url(assessment, numeric), {f"q{numeric.pk}-value": typed}, **HTMX)

    assert response.status_code == 200  # htmx swaps nothing on a 4xx: the message must show
    assert message in response.content.decode()
    assert "Enregistré" not in response.content.decode()
    assert Answer.objects.get(pk=saved.pk).value == Decimal("10")
    assert Answer.objects.get(pk=saved.pk).answered_at == saved.answered_at


def test_invalid_number_without_javascript_is_shown_next_to_the_question(client, assessment, owner):
    numeric = question("ENE-02")
    ladder = question("ENE-01")
    answer(assessment, "ENE-02", owner, value=Decimal("10"))

    response = client.post(
        theme_url(assessment, "ENE"),
        {f"q{numeric.pk}-value": "beaucoup", f"q{ladder.pk}-choice": str(first_choice("ENE-01").pk), "go": "next"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez un nombre." in page
    assert 'value="beaucoup"' in page and 'aria-invalid="true"' in page
    assert Answer.objects.get(question=numeric).value == Decimal("10")
    # The valid answer of the same page is not lost.
    assert Answer.objects.get(question=ladder).choice_ids == [first_choice("ENE-01").pk]


def test_invalid_number_posted_to_autosave_without_javascript_shows_the_theme_with_the_error(client, assessment):
    numeric = question("ENE-02")
    response = client.post(autosave_url(assessment, numeric), {f"q{numeric.pk}-value": "douze"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Thème 2 sur 7" in page and "Indiquez un nombre." in page and 'value="douze"' in page
    assert not Answer.objects.exists()


def test_not_applicable_is_refused_where_the_question_does_not_allow_it(client, assessment):
    strict, lenient = question("ENE-01"), question("ENE-03")

    refused = client.post(autosave_url(assessment, strict), {f"q{strict.pk}-choice": "na"}, **HTMX)
    refused_box = client.post(autosave_url(assessment, strict), {f"q{strict.pk}-na": "on"}, **HTMX)
    client.post(autosave_url(assessment, lenient), {f"q{lenient.pk}-choice": "na"}, **HTMX)

    assert "n&#x27;est pas possible pour cette question" in refused.content.decode()
    assert "n&#x27;est pas possible pour cette question" in refused_box.content.decode()
    assert not Answer.objects.filter(question=strict).exists()
    assert Answer.objects.get(question=lenient).not_applicable


def test_numeric_not_applicable_with_a_value_is_a_contradiction(client, assessment):
    numeric = question("ALI-03")
    response = client.post(
        autosave_url(assessment, numeric), {f"q{numeric.pk}-value": "40", f"q{numeric.pk}-na": "on"}, **HTMX
    )
    assert "pas les deux" in response.content.decode()
    assert not Answer.objects.exists()


def test_autosave_query_count(client, assessment, django_assert_num_queries):
    # With TENANT_LIMIT_SET_CALLS (settings.py) django-tenants sets the search_path only when the
    # connection changes territory, not before every query.
    # The user, the assessment, then one statement: the guarded update of the assessment and the
    # upsert of the answer, which also returns the answered questions for the progress bar.
    ladder = question("DEC-01")
    url = autosave_url(assessment, ladder)
    first, other = (str(first_choice("DEC-01", i).pk) for i in (0, 2))
    client.post(url, {f"q{ladder.pk}-choice": first}, **HTMX)  # warms the referential's structure

    with django_assert_num_queries(3):
        response = client.post(url, {f"q{ladder.pk}-choice": other}, **HTMX)

    assert response.status_code == 200


def test_an_expired_session_during_autosave_sends_htmx_to_the_login_page(client_a, assessment):
    ladder = question("DEC-01")
    response = client_a.post(
        autosave_url(assessment, ladder),
        {f"q{ladder.pk}-choice": str(first_choice("DEC-01").pk)},
        HTTP_HX_CURRENT_URL=f"http://territoire-a.localhost{theme_url(assessment, 'DEC')}",
        **HTMX,
    )
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith("/comptes/login/?next=")
    assert not Answer.objects.exists()


# -- plain form (no JavaScript) ---------------------------------------------------------------------------------------


def test_plain_post_saves_every_question_of_the_theme_and_goes_on(client, assessment, owner):
    ladder, numeric = question("ENE-01"), question("ENE-02")
    data = {
        f"q{ladder.pk}-choice": str(first_choice("ENE-01", 3).pk),
        f"q{ladder.pk}-comment": "Audit réalisé en 2025",
        f"q{numeric.pk}-value": "182 000",
        "go": "next",
    }

    response = client.post(theme_url(assessment, "ENE"), data)

    assert response.status_code == 302
    assert response["Location"] == theme_url(assessment, "DEC")
    assert Answer.objects.get(question=ladder).comment == "Audit réalisé en 2025"
    assert Answer.objects.get(question=numeric).value == Decimal("182000")
    assert Answer.objects.get(question=numeric).answered_by == owner


def test_reposting_a_page_does_not_restamp_unchanged_answers(client, assessment, owner):
    ladder = question("ENE-01")
    saved = answer(assessment, "ENE-01", owner, choice_ids=(first_choice("ENE-01").pk,))
    Answer.objects.filter(pk=saved.pk).update(answered_at=saved.answered_at - timedelta(days=3))

    client.post(theme_url(assessment, "ENE"), {f"q{ladder.pk}-choice": str(first_choice("ENE-01").pk), "go": "next"})

    assert Answer.objects.get(pk=saved.pk).answered_at == saved.answered_at - timedelta(days=3)


def test_previous_button_goes_to_the_previous_theme(client, assessment):
    response = client.post(theme_url(assessment, "ENE"), {"go": "previous"})
    assert response["Location"] == theme_url(assessment, "PIL")


def test_continuing_from_the_last_theme_leads_to_the_review(client, assessment):
    response = client.post(theme_url(assessment, "BIO"), {"go": "next"})
    assert response["Location"] == f"/auto-evaluations/{assessment.pk}/relecture/"


# -- resume -----------------------------------------------------------------------------------------------------------


def test_resume_goes_back_to_the_last_theme_worked_on(client, assessment, owner):
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    answer(assessment, "MOB-01", owner, choice_ids=(first_choice("MOB-01").pk,))

    response = client.get(f"/auto-evaluations/{assessment.pk}/")

    assert response["Location"] == theme_url(assessment, "MOB")


def test_resume_of_a_new_assessment_opens_the_first_theme(client, assessment):
    assert client.get(f"/auto-evaluations/{assessment.pk}/")["Location"] == theme_url(assessment, "PIL")


def test_resume_moves_on_when_the_last_theme_is_complete(client, assessment, organisation, owner):
    for item in structure_for(assessment.version).themes_for(organisation)[:2]:
        _theme, questions = item
        for q in questions:
            save_answer(
                assessment,
                q,
                owner,
                AnswerInput(choice_ids=(q.choice_list[0].pk,)) if q.choice_list else AnswerInput(value=Decimal(1)),
            )

    assert client.get(f"/auto-evaluations/{assessment.pk}/")["Location"] == theme_url(assessment, "DEC")


# -- review and submit ------------------------------------------------------------------------------------------------


def answer_everything_but(assessment, owner, skipped=()):
    for _theme, questions in structure_for(assessment.version).themes_for(assessment.organisation):
        for q in questions:
            if q.code in skipped:
                continue
            data = AnswerInput(choice_ids=(q.choice_list[-1].pk,)) if q.choice_list else AnswerInput(value=Decimal(80))
            save_answer(assessment, q, owner, data)


def test_review_lists_the_unanswered_questions_with_links_back(client, assessment, owner):
    answer_everything_but(assessment, owner, skipped={"EAU-03"})

    page = client.get(f"/auto-evaluations/{assessment.pk}/relecture/").content.decode()

    skipped = question("EAU-03")
    assert f'href="{theme_url(assessment, "EAU")}#question-{skipped.pk}"' in page
    assert "1 question est sans réponse" in page
    assert f"#question-{question('EAU-01').pk}" not in page


def test_review_of_a_complete_assessment_says_so(client, assessment, owner):
    answer_everything_but(assessment, owner)
    page = client.get(f"/auto-evaluations/{assessment.pk}/relecture/").content.decode()
    assert "Vous avez répondu à toutes les questions." in page


def test_submit_locks_the_assessment_and_stores_its_scores(client, assessment, owner):
    answer_everything_but(assessment, owner, skipped={"EAU-03"})

    response = client.post(f"/auto-evaluations/{assessment.pk}/valider/")

    assert response.status_code == 302
    assert response["Location"] == f"/auto-evaluations/{assessment.pk}/resultats/"
    assessment.refresh_from_db()
    expected = compute_scores(assessment, list(assessment.answers.all()))
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.submitted_by == owner
    assert assessment.overall_score == Decimal(str(expected.overall)) > 0
    assert assessment.level_rank == expected.level is not None
    assert set(assessment.theme_scores) == {"PIL", "ENE", "DEC", "MOB", "ALI", "EAU", "BIO"}
    assert assessment.theme_scores["EAU"]["answered"] == assessment.theme_scores["EAU"]["applicable"] - 1


def test_a_submitted_assessment_refuses_every_change(client, assessment, owner):
    ladder = question("DEC-01")
    saved = answer(assessment, "DEC-01", owner, choice_ids=(first_choice("DEC-01").pk,))
    client.post(f"/auto-evaluations/{assessment.pk}/valider/")
    other_choice = {f"q{ladder.pk}-choice": str(first_choice("DEC-01", 3).pk)}

    plain = client.post(autosave_url(assessment, ladder), other_choice)
    htmx = client.post(autosave_url(assessment, ladder), other_choice, **HTMX)
    whole_page = client.post(theme_url(assessment, "DEC"), {**other_choice, "go": "next"})
    again = client.post(f"/auto-evaluations/{assessment.pk}/valider/", follow=True)

    assert plain.status_code == 403
    assert "ne peut plus être modifiée" in plain.content.decode()
    assert htmx.status_code == 403
    assert htmx["HX-Redirect"] == f"/auto-evaluations/{assessment.pk}/resultats/"
    assert whole_page.status_code == 403
    assert again.redirect_chain[0][0] == f"/auto-evaluations/{assessment.pk}/resultats/"
    unchanged = Answer.objects.get(pk=saved.pk)
    assert unchanged.choice_ids == [first_choice("DEC-01").pk]
    assert unchanged.answered_at == saved.answered_at


def test_an_answer_sent_after_a_colleague_submitted_is_refused_and_not_written(assessment, owner):
    read_before = Assessment.objects.get(pk=assessment.pk)  # the page was loaded before the submission
    submit_assessment(assessment, member_of(assessment.organisation, "dominique@example.org"))
    ladder = structure_for(assessment.version).questions[question("DEC-01").pk]

    with pytest.raises(AssessmentError):
        save_answer(read_before, ladder, owner, AnswerInput(choice_ids=(ladder.choice_list[0].pk,)))

    assert not Answer.objects.filter(assessment=assessment, question=ladder).exists()
    assert Assessment.objects.get(pk=assessment.pk).last_theme_id is None


@pytest.mark.parametrize("path", ["", "themes/PIL/", "relecture/"])
def test_pages_of_a_submitted_assessment_lead_to_its_results(client, assessment, owner, path):
    client.post(f"/auto-evaluations/{assessment.pk}/valider/")
    response = client.get(f"/auto-evaluations/{assessment.pk}/{path}")
    assert response["Location"] == f"/auto-evaluations/{assessment.pk}/resultats/"


# -- the panel on the organisation page -------------------------------------------------------------------------------


def render_panel(organisation):
    return Template("{% load assessments %}{% assessment_panel organisation %}").render(
        Context({"organisation": organisation, "csrf_token": "token"})
    )


def test_panel_offers_to_start_then_to_resume_with_the_progress(organisation, owner):
    assert "Commencer l'auto-évaluation" in render_panel(organisation)
    assert f'action="/organisations/{organisation.pk}/auto-evaluation/commencer/"' in render_panel(organisation)

    assessment = start_assessment(organisation, owner)
    answer(assessment, "PIL-01", owner, choice_ids=(first_choice("PIL-01").pk,))
    answer(assessment, "PIL-03", owner, comment="Rien encore")  # a comment alone is not an answer
    html = render_panel(organisation)

    total = sum(len(questions) for _theme, questions in structure_for(assessment.version).themes_for(organisation))
    assert "Reprendre l'auto-évaluation" in html
    assert f'href="/auto-evaluations/{assessment.pk}/"' in html
    assert f"1 question répondue sur {total}." in html
    assert "Commencer" not in html


def test_panel_shows_the_latest_result_with_links(organisation, owner):
    assessment = start_assessment(organisation, owner)
    answer_everything_but(assessment, owner)
    submit_assessment(assessment, owner)
    html = render_panel(organisation)

    assert "niveau Exemplarité" in html
    assert f'href="/auto-evaluations/{assessment.pk}/resultats/"' in html
    assert f'href="/organisations/{organisation.pk}/auto-evaluations/"' in html
    assert "Commencer une nouvelle auto-évaluation" in html  # a year later, a new one


def test_panel_makes_at_most_two_queries(organisation, owner, settings, django_assert_max_num_queries):
    settings.TENANT_LIMIT_SET_CALLS = True  # count queries, not SET search_path (see test_autosave_query_count)
    assessment = start_assessment(organisation, owner)
    answer_everything_but(assessment, owner)
    submit_assessment(assessment, owner)
    start_assessment(organisation, owner)
    render_panel(organisation)  # warms the referential's structure

    with django_assert_max_num_queries(2):
        html = render_panel(organisation)

    assert "Reprendre" in html and "Voir les résultats" in html


def test_organisation_page_shows_the_panel(client, organisation):
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert "Commencer l'auto-évaluation" in page
