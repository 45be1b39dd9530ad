"""Territory staff adapt the referential: a draft copied from the published version, edited, previewed, published.

The rule that matters most: a published or archived version never changes. Every
write service is run against both and must refuse with a domain error and leave the
version exactly as it was (compared through dump_referential, the lossless export).
"""

import random
from decimal import Decimal

import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import OrganisationKind
from organisations.services import create_organisation
from referentiel import authoring
from referentiel.authoring import AuthoringError
from referentiel.enums import AssessmentStatus, QuestionKind, VersionStatus
from referentiel.forms_authoring import ThemeForm
from referentiel.loader import dump_referential
from referentiel.models import Choice, MaturityLevel, NumericBand, Question, ReferentialVersion, Theme
from referentiel.services import AnswerInput, current_version, save_answer, start_assessment, submit_assessment
from referentiel.structure import structure_for

VALID_SIRET = "73282932000074"


def make_user(email, role=Role.PARTICIPANT):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def staff(in_a):
    return make_user("charge.climat@a.example", Role.STAFF)


@pytest.fixture
def published(in_a):
    return current_version()


@pytest.fixture
def draft(staff, published):
    return authoring.start_draft(staff)


def organisation(owner, name="Boulangerie du Clain", siret=VALID_SIRET):
    return create_organisation(
        owner,
        name=name,
        kind=OrganisationKind.ENTREPRISE,
        siret=siret,
        naf_code="10.71C",
        headcount_band="02",
        commune="Poitiers",
    )


def first_theme(version):
    return Theme.objects.filter(version=version).order_by("order", "pk").first()


def ladder(version, position=0):
    return Question.objects.filter(version=version, kind=QuestionKind.LADDER).order_by("theme__order", "order")[
        position
    ]


def numeric_with_bands(version):
    return Question.objects.filter(version=version, kind=QuestionKind.NUMERIC, bands__isnull=False).distinct()[0]


def problems_of(error):
    return [str(problem) for problem in error.value.problems]


# ---- the draft is a deep, independent copy ---------------------------------------------------------


def test_draft_is_a_deep_copy_of_the_published_version(draft, published):
    copy = dump_referential(draft)
    original = dump_referential(published)

    assert draft.status == VersionStatus.DRAFT
    assert draft.based_on == published
    assert copy["version"] != original["version"]  # a new number is suggested
    # The territory's own title: participants are not told that an adapted version is the national one.
    assert (original["title"], copy["title"]) == ("Référentiel national ASSETT", "Référentiel de Territoire A")
    assert {**copy, "version": None, "title": None} == {**original, "version": None, "title": None}
    # No row is shared: the draft has its own themes, questions, choices and bands.
    draft_questions = set(Question.objects.filter(version=draft).values_list("pk", flat=True))
    assert not draft_questions & set(Question.objects.filter(version=published).values_list("pk", flat=True))
    assert (
        Choice.objects.filter(question__version=draft).count()
        == Choice.objects.filter(question__version=published).count()
    )
    assert (
        NumericBand.objects.filter(question__version=draft).count()
        == NumericBand.objects.filter(question__version=published).count()
    )


def test_editing_the_draft_leaves_the_published_version_unchanged(draft, published):
    before = dump_referential(published)
    theme = first_theme(draft)
    question = ladder(draft)

    authoring.update_version_info(draft, title="Référentiel de Territoire A", label="2099.1", description="Adapté")
    authoring.update_level(draft.levels.get(rank=1), name="Premiers pas", description="", threshold=Decimal(0))
    authoring.update_theme(theme, title="Gouvernance climat")
    authoring.move_theme(theme, authoring.DOWN)
    authoring.update_question(question, text="Question reformulée ?", weight=5)
    authoring.move_question(question, authoring.DOWN)
    authoring.update_choice(question.choices.first(), label="Rien n'est fait.")
    authoring.move_choice(question.choices.first(), authoring.DOWN)
    authoring.add_choice(question, label="Encore mieux", points=Decimal(10))
    authoring.delete_choice(question.choices.last())
    new_theme = authoring.add_theme(draft, code="LOC", title="Enjeux locaux")
    authoring.add_question(new_theme, code="LOC-01", text="Participez-vous au défi local ?", kind=QuestionKind.YESNO)
    authoring.delete_question(ladder(draft, 3))
    authoring.add_band(numeric_with_bands(draft), min_value=Decimal(1000), max_value=None, points=Decimal(5))
    authoring.delete_band(numeric_with_bands(draft).bands.first())
    authoring.delete_theme(Theme.objects.filter(version=draft).order_by("-order")[1])

    assert dump_referential(published) == before
    assert dump_referential(draft) != before


def test_starting_a_draft_twice_returns_the_same_draft(draft, staff):
    assert authoring.start_draft(staff) == draft
    assert ReferentialVersion.objects.filter(status=VersionStatus.DRAFT).count() == 1


def test_discarding_the_draft_deletes_it_and_keeps_the_published_version(draft, published):
    before = dump_referential(published)

    authoring.discard_draft(draft)

    assert not ReferentialVersion.objects.filter(pk=draft.pk).exists()
    assert not Question.objects.filter(version_id=draft.pk).exists()
    assert dump_referential(published) == before


# ---- a published or archived version never changes -------------------------------------------------


def _second(queryset):
    return queryset[1]


WRITES = {
    "discard_draft": lambda v, user: authoring.discard_draft(v),
    "update_version_info": lambda v, user: authoring.update_version_info(v, title="Autre titre"),
    "update_level": lambda v, user: authoring.update_level(v.levels.get(rank=2), name="Autre", threshold=Decimal(30)),
    "add_theme": lambda v, user: authoring.add_theme(v, code="NEW", title="Nouveau thème"),
    "update_theme": lambda v, user: authoring.update_theme(first_theme(v), title="Autre titre"),
    "delete_theme": lambda v, user: authoring.delete_theme(first_theme(v)),
    "move_theme": lambda v, user: authoring.move_theme(first_theme(v), authoring.DOWN),
    "add_question": lambda v, user: authoring.add_question(first_theme(v), code="NEW-01", text="?", kind="yesno"),
    "update_question": lambda v, user: authoring.update_question(ladder(v), text="Autre question ?"),
    "delete_question": lambda v, user: authoring.delete_question(ladder(v)),
    "move_question": lambda v, user: authoring.move_question(ladder(v), authoring.DOWN),
    "add_choice": lambda v, user: authoring.add_choice(ladder(v), label="Autre", points=Decimal(9)),
    "update_choice": lambda v, user: authoring.update_choice(ladder(v).choices.first(), label="Autre"),
    "delete_choice": lambda v, user: authoring.delete_choice(ladder(v).choices.first()),
    "move_choice": lambda v, user: authoring.move_choice(ladder(v).choices.first(), authoring.DOWN),
    "add_band": lambda v, user: authoring.add_band(numeric_with_bands(v), min_value=None, max_value=None, points=1),
    "delete_band": lambda v, user: authoring.delete_band(numeric_with_bands(v).bands.first()),
    "publish_draft": lambda v, user: authoring.publish_draft(v, user),
}


@pytest.fixture
def archived(draft, published, staff):
    """The national version, archived by the publication of a draft."""
    authoring.publish_draft(draft, staff)
    published.refresh_from_db()
    assert published.status == VersionStatus.ARCHIVED
    return published


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_refuses_the_published_version_and_changes_nothing(write, published, staff):
    before = dump_referential(published)

    with pytest.raises(AuthoringError, match="publiée : elle ne peut plus être modifiée"):
        WRITES[write](published, staff)

    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert dump_referential(published) == before


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_refuses_an_archived_version_and_changes_nothing(write, archived, staff):
    before = dump_referential(archived)

    with pytest.raises(AuthoringError, match="archivée : elle ne peut plus être modifiée"):
        WRITES[write](archived, staff)

    archived.refresh_from_db()
    assert archived.status == VersionStatus.ARCHIVED
    assert dump_referential(archived) == before


def test_a_stale_draft_instance_cannot_change_the_version_once_published(draft, staff):
    theme = first_theme(draft)  # loaded while the version was a draft
    authoring.publish_draft(ReferentialVersion.objects.get(pk=draft.pk), staff)

    with pytest.raises(AuthoringError, match="publiée"):
        authoring.update_theme(theme, title="Trop tard")
    with pytest.raises(AuthoringError, match="publiée"):
        authoring.update_version_info(draft, title="Trop tard")

    assert Theme.objects.get(pk=theme.pk).title == theme.title


# ---- editing rules -------------------------------------------------------------------------------


def test_codes_are_unique_within_the_version(draft):
    theme = first_theme(draft)
    question = ladder(draft)

    with pytest.raises(AuthoringError, match="code de thème « ENE » est déjà utilisé"):
        authoring.add_theme(draft, code="ENE", title="Doublon")
    with pytest.raises(AuthoringError, match=f"code de question « {question.code} » est déjà utilisé"):
        authoring.add_question(theme, code=question.code, text="Doublon ?")
    with pytest.raises(AuthoringError, match=f"code de question « {question.code} » est déjà utilisé"):
        authoring.update_question(ladder(draft, 1), code=question.code)
    with pytest.raises(AuthoringError, match="ne peut contenir que"):
        authoring.add_theme(draft, code="ÉNERGIE/2", title="Accents et barre")


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(draft):
    themes = list(Theme.objects.filter(version=draft).order_by("order"))

    authoring.move_theme(themes[0], authoring.DOWN)
    authoring.move_theme(themes[-1], authoring.DOWN)  # already last: nothing moves

    order = list(Theme.objects.filter(version=draft).order_by("order").values_list("code", flat=True))
    assert order == [themes[1].code, themes[0].code] + [t.code for t in themes[2:]]


def test_a_yes_no_question_comes_with_its_two_choices(draft):
    question = authoring.add_question(first_theme(draft), code="PIL-99", text="Avez-vous un référent ?", kind="yesno")

    assert list(question.choices.values_list("label", "points")) == [("Oui", Decimal(1)), ("Non", Decimal(0))]


def test_a_numeric_indicator_takes_bands_not_choices(draft):
    question = numeric_with_bands(draft)

    with pytest.raises(AuthoringError, match="tranches de valeurs"):
        authoring.add_choice(question, label="Beaucoup", points=1)
    with pytest.raises(AuthoringError, match="inférieur à son maximum"):
        authoring.add_band(question, min_value=Decimal(10), max_value=Decimal(5), points=1)


def test_a_question_moved_to_another_theme_goes_last_there(draft):
    question = ladder(draft)
    target = Theme.objects.filter(version=draft).order_by("order")[2]

    authoring.update_question(question, theme=target)

    assert list(target.questions.order_by("order"))[-1] == question


# ---- publication -----------------------------------------------------------------------------------


def _empty_theme(draft):
    authoring.add_theme(draft, code="VIDE", title="Thème vide")
    return "thème VIDE : le thème n'a aucune question."


def _question_with_one_choice(draft):
    question = ladder(draft)
    for choice in list(question.choices.order_by("order"))[1:]:
        authoring.delete_choice(choice)
    return f"question {question.code} : il faut au moins deux choix."


def _thresholds_not_increasing(draft):
    authoring.update_level(draft.levels.get(rank=3), threshold=draft.levels.get(rank=2).threshold)
    return "niveau 3 : les seuils doivent être strictement croissants."


def _first_threshold_not_zero(draft):
    authoring.update_level(draft.levels.get(rank=1), threshold=Decimal(5))
    return "niveau 1 : le premier niveau doit avoir le seuil 0."


@pytest.mark.parametrize(
    "breakage", [_empty_theme, _question_with_one_choice, _thresholds_not_increasing, _first_threshold_not_zero]
)
def test_publication_reports_the_problem_in_french_and_publishes_nothing(breakage, draft, published, staff):
    expected = breakage(draft)

    with pytest.raises(AuthoringError) as error:
        authoring.publish_draft(draft, staff)

    assert expected in problems_of(error)
    count = len(problems_of(error))
    assert (
        str(error.value)
        == f"Le brouillon ne peut pas être publié : {count} point{'s' if count > 1 else ''} à corriger."
    )
    assert ReferentialVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    assert current_version() == published


def test_publication_reports_every_problem_at_once(draft, staff):
    expected = {_empty_theme(draft), _question_with_one_choice(draft), _thresholds_not_increasing(draft)}

    with pytest.raises(AuthoringError) as error:
        authoring.publish_draft(draft, staff)

    assert expected <= set(problems_of(error))
    assert f"{len(problems_of(error))} points à corriger." in str(error.value)


def test_publication_refuses_a_version_number_already_used(draft, published, staff):
    authoring.discard_draft(draft)
    draft = authoring.start_draft(staff)
    ReferentialVersion.objects.filter(pk=draft.pk).update(label=published.label)

    with pytest.raises(AuthoringError) as error:
        authoring.publish_draft(draft, staff)

    assert any(f"« {published.label} » est déjà celui d'une autre version" in p for p in problems_of(error))


def test_publication_archives_the_previous_version_and_its_assessment_in_progress_can_finish(draft, published, staff):
    owner = make_user("camille@example.org")
    assessment = start_assessment(organisation(owner), owner)
    # Questions as the questionnaire has them (with their choices), among those that apply to this organisation.
    first, second = [
        q
        for _theme, questions in structure_for(published).themes_for(assessment.organisation)
        for q in questions
        if q.kind == QuestionKind.LADDER
    ][:2]
    save_answer(assessment, first, owner, AnswerInput(choice_ids=(first.choice_list[-1].pk,)))

    new = authoring.publish_draft(draft, staff)

    published.refresh_from_db()
    assert published.status == VersionStatus.ARCHIVED and published.archived_at is not None
    assert new.status == VersionStatus.PUBLISHED and new.published_at is not None
    assert current_version() == new
    # The assessment started on the old version goes on on it, to the end.
    assessment.refresh_from_db()
    assert start_assessment(assessment.organisation, owner) == assessment
    save_answer(assessment, second, owner, AnswerInput(choice_ids=(second.choice_list[0].pk,)))
    submitted = submit_assessment(assessment, owner)
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.version == published
    assert submitted.overall_score is not None
    # A new assessment is made on the new version.
    other = make_user("dominique@example.org")
    assert (
        start_assessment(organisation(other, name="Atelier Vélo", siret=demo_siret(random.Random(2))), other).version
        == new
    )


# ---- pages ---------------------------------------------------------------------------------------------


def test_staff_creates_edits_and_publishes_a_draft_through_the_pages(client_a, staff, published):
    client_a.force_login(staff)

    response = client_a.post("/gestion/referentiel/brouillon/creer/")
    assert response.status_code == 302
    draft = ReferentialVersion.objects.get(status=VersionStatus.DRAFT)
    theme = first_theme(draft)
    second = Theme.objects.filter(version=draft).order_by("order")[1]

    client_a.post(f"/gestion/referentiel/themes/{second.pk}/deplacer/", {"direction": "up"})
    response = client_a.post(
        f"/gestion/referentiel/themes/{theme.pk}/",
        {"code": theme.code, "title": "Pilotage et gouvernance", "description": "", "color": "", "icon": ""},
    )
    assert response.status_code == 302
    question = ladder(draft)
    client_a.post(
        f"/gestion/referentiel/questions/{question.pk}/choix/ajouter/",
        {"choice-label": "Nous publions un rapport extra-financier.", "choice-points": "5"},
    )
    client_a.post(
        f"/gestion/referentiel/niveaux/{draft.levels.get(rank=4).pk}/",
        {"name": "Exemplaire", "description": "", "threshold": "80"},
    )
    assert client_a.get("/gestion/referentiel/brouillon/").status_code == 200
    assert client_a.get(f"/gestion/referentiel/questions/{question.pk}/").status_code == 200
    assert client_a.get("/gestion/referentiel/brouillon/publier/").status_code == 200

    response = client_a.post("/gestion/referentiel/brouillon/publier/")

    assert response.status_code == 302
    assert current_version() == draft
    assert first_theme(draft).code == second.code
    assert Theme.objects.get(pk=theme.pk).title == "Pilotage et gouvernance"
    assert question.choices.order_by("order").last().label == "Nous publions un rapport extra-financier."
    assert draft.levels.get(rank=4).name == "Exemplaire"


def test_publish_page_lists_the_problems_and_publishes_nothing(client_a, staff, draft, published):
    authoring.add_theme(draft, code="VIDE", title="Thème vide")
    client_a.force_login(staff)

    response = client_a.post("/gestion/referentiel/brouillon/publier/")

    assert response.status_code == 200
    assert "Thème VIDE : le thème n&#x27;a aucune question." in response.content.decode()
    assert current_version() == published


def test_editing_a_published_theme_through_the_page_is_refused(client_a, staff, published):
    theme = first_theme(published)
    client_a.force_login(staff)

    response = client_a.post(
        f"/gestion/referentiel/themes/{theme.pk}/",
        {"code": theme.code, "title": "Piraté", "description": "", "color": "", "icon": ""},
        follow=True,
    )

    assert "ne peut plus être modifiée" in response.content.decode()
    assert Theme.objects.get(pk=theme.pk).title == theme.title


def test_preview_shows_entreprise_only_questions_only_to_entreprises(client_a, staff, draft):
    theme = first_theme(draft)
    authoring.add_question(
        theme,
        code="ENT-01",
        text="Question réservée aux entreprises ?",
        kind="yesno",
        organisation_kinds=[OrganisationKind.ENTREPRISE],
    )
    authoring.add_question(
        theme,
        code="GRD-01",
        text="Question réservée aux grandes structures ?",
        kind="yesno",
        headcount_bands=["41", "42"],
    )
    client_a.force_login(staff)
    url = f"/gestion/referentiel/versions/{draft.pk}/apercu/"

    entreprise = client_a.get(url, {"kind": "entreprise"}).content.decode()
    association = client_a.get(url, {"kind": "association"}).content.decode()
    public = client_a.get(url, {"kind": "etablissement_public"}).content.decode()
    small = client_a.get(url, {"kind": "entreprise", "headcount_band": "01"}).content.decode()
    large = client_a.get(url, {"kind": "entreprise", "headcount_band": "41"}).content.decode()

    assert "Question réservée aux entreprises ?" in entreprise
    assert "Question réservée aux entreprises ?" not in association
    assert "Question réservée aux entreprises ?" not in public
    assert "Question réservée aux grandes structures ?" in entreprise  # no band chosen: shown, labelled
    assert "Question réservée aux grandes structures ?" not in small
    assert "Question réservée aux grandes structures ?" in large


def test_participants_get_a_404_and_anonymous_visitors_the_login_page(client_a, in_a, draft):
    participant = make_user("camille@example.org")
    theme = first_theme(draft)
    urls = [
        "/gestion/referentiel/",
        "/gestion/referentiel/brouillon/",
        f"/gestion/referentiel/themes/{theme.pk}/",
        f"/gestion/referentiel/versions/{draft.pk}/apercu/",
    ]

    for url in urls:
        assert client_a.get(url).status_code == 302
    client_a.force_login(participant)
    for url in urls:
        assert client_a.get(url).status_code == 404
    assert client_a.post(f"/gestion/referentiel/themes/{theme.pk}/deplacer/", {"direction": "down"}).status_code == 404
    assert client_a.post("/gestion/referentiel/brouillon/publier/").status_code == 404
    assert ReferentialVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_territory_b_cannot_see_the_draft_of_territory_a(client_b, territory_a, territory_b, draft):
    authoring.update_version_info(draft, title="Brouillon secret de A")
    theme = authoring.add_theme(draft, code="SECRET", title="Thème secret de A")
    connection.set_tenant(territory_b)
    staff_b = make_user("charge.climat@b.example", Role.STAFF)
    client_b.force_login(staff_b)

    pages = [
        client_b.get("/gestion/referentiel/"),
        client_b.get("/gestion/referentiel/brouillon/", follow=True),
        client_b.get(f"/gestion/referentiel/themes/{theme.pk}/", follow=True),
        client_b.get(f"/gestion/referentiel/versions/{draft.pk}/apercu/"),
    ]

    for response in pages:
        html = response.content.decode()
        assert "secret de A" not in html
    connection.set_tenant(territory_b)
    assert not ReferentialVersion.objects.filter(status=VersionStatus.DRAFT).exists()
    connection.set_tenant(territory_a)


def test_overview_page_query_count_is_bounded(client_a, staff, django_assert_max_num_queries):
    # Three archived versions and a draft: the page must not query once per version or theme.
    for _ in range(3):
        authoring.publish_draft(authoring.start_draft(staff), staff)
    authoring.start_draft(staff)
    client_a.force_login(staff)
    client_a.get("/gestion/referentiel/")  # warm the structure cache of the published version

    with django_assert_max_num_queries(8):
        response = client_a.get("/gestion/referentiel/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Modifier le brouillon" in html
    assert html.count('Aperçu<span class="fr-sr-only">') == 3


def test_overview_offers_to_create_a_draft_when_there_is_none(client_a, staff, published):
    client_a.force_login(staff)

    html = client_a.get("/gestion/referentiel/").content.decode()

    assert "Créer un brouillon à partir de la version publiée" in html
    assert published.title in html
    assert "Modifier le brouillon" not in html


def test_draft_page_query_count_does_not_grow_with_the_referential(
    client_a, staff, draft, django_assert_max_num_queries
):
    client_a.force_login(staff)
    # Counted statements include django-tenants' « SET search_path » before each query.
    with django_assert_max_num_queries(24) as first:
        assert client_a.get("/gestion/referentiel/brouillon/").status_code == 200

    theme = authoring.add_theme(draft, code="LOC", title="Enjeux locaux")
    for number in range(5):
        authoring.add_question(theme, code=f"LOC-0{number}", text=f"Question locale {number} ?", kind="yesno")

    with django_assert_max_num_queries(len(first)):
        response = client_a.get("/gestion/referentiel/brouillon/")
    assert "Enjeux locaux" in response.content.decode()


def test_level_rename_is_kept_on_publication(draft, staff):
    level = MaturityLevel.objects.get(version=draft, rank=1)

    authoring.update_level(level, name="Premiers pas", description="On commence.")
    authoring.publish_draft(draft, staff)

    assert current_version().levels.get(rank=1).name == "Premiers pas"


@pytest.mark.parametrize(("icon", "valid"), [("fr-icon-leaf-line", True), ("", True), ("fr-icon-ship-line", False)])
def test_a_theme_icon_is_one_the_platform_ships(in_a, icon, valid):
    draft = authoring.start_draft(None)
    form = ThemeForm(
        data={"code": "NOUV", "title": "Nouveau", "description": "", "color": "", "icon": icon},
        instance=Theme(version=draft),
    )
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["icon"] == ["Choisissez une icône de la liste."]
