"""The referential editor as staff use it: a local version's own title, « ciblée » saying for whom, a
preview of what participants see, the comparison of the draft with the published version, and the
estimated duration of an assessment (shown to staff and to participants)."""

import copy
import html

import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from organisations.services import create_organisation
from referentiel import authoring
from referentiel.compare import ADDED, CHANGED, REMOVED, compare_versions
from referentiel.constants import NATIONAL_TITLE
from referentiel.duration import duration_text, estimated_minutes
from referentiel.enums import QuestionKind
from referentiel.loader import read_yaml
from referentiel.models import Question, Theme
from referentiel.services import current_version
from referentiel.targeting import targeting_text


def make_user(email, role=Role.PARTICIPANT):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def staff_client(in_a, client_a):
    staff = make_user("charge.climat@a.example", Role.STAFF)
    client_a.force_login(staff)
    client_a.staff = staff
    return client_a


@pytest.fixture
def draft(staff_client):
    return authoring.start_draft(staff_client.staff)


# ---- whom a question is for ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "bands", "text"),
    [
        ([], [], ""),
        (["entreprise"], [], "entreprises"),
        (["association", "entreprise"], [], "entreprises et associations"),
        (["entreprise"], ["11", "12"], "entreprises · de 10 à 49 salariés"),
        ([], ["11"], "10 à 19 salariés"),
        ([], ["11", "21"], "10 à 19 salariés ou 50 à 99 salariés"),
        ([], ["NN", "00", "01"], "non employeuses ou de 0 à 2 salariés"),
        (["etablissement_public"], ["42", "51", "52", "53"], "établissements publics · 1\u202f000 salariés et plus"),
    ],
)
def test_targeting_says_for_whom(kinds, bands, text):
    assert targeting_text(kinds, bands) == text


def test_the_theme_page_says_for_whom_a_targeted_question_is(staff_client, draft):
    theme = Theme.objects.filter(version=draft).order_by("order").first()
    question = authoring.add_question(
        theme, code="GRD-01", text="Question des grandes entreprises ?", kind="yesno", headcount_bands=["41", "42"]
    )
    Question.objects.filter(pk=question.pk).update(organisation_kinds=["entreprise"])

    page = staff_client.get(f"/gestion/referentiel/themes/{theme.pk}/").content.decode()

    row = page[page.index("Question des grandes entreprises ?") :]
    assert "pour : entreprises · de 500 à 1\u202f999 salariés" in row[: row.index("</td>")]


# ---- a local version's title ------------------------------------------------------------------------


def test_the_national_title_is_the_national_files(settings):
    national = read_yaml(settings.BASE_DIR / "referentiel" / "data" / "referentiel_national.yaml")
    assert national["title"] == NATIONAL_TITLE


def test_a_draft_is_titled_for_the_territory_and_cannot_be_published_under_the_national_title(staff_client, draft):
    assert current_version().title == NATIONAL_TITLE
    assert draft.title == "Référentiel de Territoire A"
    assert not authoring.draft_problems(draft)

    draft = authoring.update_version_info(draft, title=NATIONAL_TITLE)

    problems = [str(problem) for problem in authoring.draft_problems(draft)]
    assert any("est celui du référentiel national : donnez son titre à votre version" in p for p in problems)
    with pytest.raises(authoring.AuthoringError):
        authoring.publish_draft(draft, staff_client.staff)


def test_participants_read_the_local_title_on_their_results_once_it_is_published(staff_client, draft):
    published = authoring.publish_draft(draft, staff_client.staff)
    assert current_version() == published
    assert published.title == "Référentiel de Territoire A"


# ---- the preview: what participants see -----------------------------------------------------------


def test_the_preview_shows_the_participants_questions_without_points_unless_asked(staff_client, draft):
    url = f"/gestion/referentiel/versions/{draft.pk}/apercu/"
    ladder = Question.objects.filter(version=draft, kind=QuestionKind.LADDER).order_by("theme__order", "order")[0]

    page = staff_client.get(url, {"kind": "entreprise"}).content.decode()

    assert f'<fieldset class="fr-fieldset" id="question-{ladder.pk}">' in page  # the participant's own markup
    assert f'type="radio" id="q{ladder.pk}-choice-' in page
    assert "Comprendre la question" in page and "Ajouter un commentaire" in page
    assert "Points :" not in page and "points :" not in page
    assert "data-hx-" not in page  # nothing is saved from the preview
    assert "Durée estimée : environ" in page

    with_points = staff_client.get(url, {"kind": "entreprise", "points": "on"}).content.decode()
    assert "Points :" in with_points


# ---- comparing the draft with the published version ------------------------------------------------


def _national():
    from django.conf import settings

    return read_yaml(settings.BASE_DIR / "referentiel" / "data" / "referentiel_national.yaml")


def test_comparing_a_version_with_itself_finds_nothing():
    national = _national()
    assert compare_versions(national, copy.deepcopy(national)).is_empty


def test_the_comparison_finds_added_removed_changed_and_moved_questions():
    before = _national()
    after = copy.deepcopy(before)
    first, second = after["themes"][0], after["themes"][1]
    first["title"] = "Piloter"
    first["questions"][0]["text"] = "Une question reformulée ?"
    first["questions"][0]["choices"][2]["points"] = 1.5
    first["questions"][0]["organisation_kinds"] = ["entreprise", "association"]
    removed = first["questions"].pop(1)
    moved = second["questions"].pop(0)
    first["questions"].append(moved)
    first["questions"].append({"code": "NEW-01", "text": "Nouvelle ?", "kind": "yesno", "choices": []})
    after["levels"][0]["name"] = "Premiers pas"
    gone = after["themes"].pop()

    diff = compare_versions(before, after)

    themes = {theme.code: theme for theme in diff.themes}
    pilot = themes[first["code"]]
    assert [(c.what, c.after) for c in pilot.changes] == [("Titre", "Piloter")]
    questions = {q.code: q for q in pilot.questions}
    changed = questions[first["questions"][0]["code"]]
    assert changed.status == CHANGED
    whats = [change.what for change in changed.changes]
    assert whats[0] == "Texte" and "Choix 3" in whats and "Pour qui" in whats
    third_choice = next(change for change in changed.changes if change.what == "Choix 3")
    label = first["questions"][0]["choices"][2]["label"]
    assert (third_choice.before, third_choice.after) == (f"{label} (2 points)", f"{label} (1,5 point)")
    assert questions[removed["code"]].status == REMOVED
    assert questions["NEW-01"].status == ADDED
    assert [c.what for c in questions[moved["code"]].changes] == ["Thème"]  # moved, not removed and added
    assert themes[gone["code"]].status == REMOVED
    assert diff.levels[0].after == "Premiers pas"
    counts = diff.question_counts
    assert counts[ADDED] == 1 and counts[CHANGED] == 2
    assert counts[REMOVED] == 1 + len(gone["questions"])


def test_the_comparison_page_shows_what_the_draft_changes(staff_client, draft):
    question = Question.objects.filter(version=draft, kind=QuestionKind.LADDER).order_by("theme__order", "order")[0]
    before = question.text
    authoring.update_question(question, text="Une question reformulée pour notre territoire ?")

    page = staff_client.get("/gestion/referentiel/brouillon/comparer/").content.decode()

    assert "0 question ajoutée,\n     1 modifiée," in page
    assert f"<del>{before}</del>".replace("'", "&#x27;") in page
    assert "<ins>Une question reformulée pour notre territoire ?</ins>" in page
    assert "<ins>Référentiel de Territoire A</ins>" in page  # the local title is a change too


def test_the_comparison_page_without_a_draft_sends_back_to_the_overview(staff_client):
    assert staff_client.get("/gestion/referentiel/brouillon/comparer/").status_code == 302


def test_territory_b_never_sees_the_comparison_of_a_draft_of_a(staff_client, draft, client_b, territory_b):
    authoring.update_version_info(draft, title="Brouillon secret de A")
    connection.set_tenant(territory_b)
    client_b.force_login(make_user("charge.climat@b.example", Role.STAFF))

    response = client_b.get("/gestion/referentiel/brouillon/comparer/", follow=True)

    assert "secret de A" not in response.content.decode()


# ---- the estimated duration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("questions", "minutes"),
    [
        ([], 0),
        ([("yesno", 2)], 5),
        ([("ladder", 4)] * 10, 15),  # 10 × (45 + 20) s = 10 min 50 s
        ([("numeric", 0)] * 40, 60),
    ],
)
def test_the_duration_is_estimated_from_the_questions_and_rounded_up_to_five_minutes(questions, minutes):
    assert estimated_minutes(questions) == minutes


def test_the_duration_reads_in_french():
    assert duration_text(25) == "environ 25 minutes"
    assert duration_text(60) == "environ 1 heure"
    assert duration_text(75) == "environ 1 h 15"


def test_staff_and_participants_see_the_estimated_duration(staff_client, client_a):
    overview = staff_client.get("/gestion/referentiel/").content.decode()
    assert "Durée estimée d&#x27;une auto-évaluation" in overview or "Durée estimée d'une auto-évaluation" in overview
    assert "Entreprise : environ" in overview

    owner = make_user("camille@example.org")
    organisation = create_organisation(
        owner, name="Atelier", kind="entreprise", siret="73282932000074", headcount_band="02", commune="Poitiers"
    )
    client_a.force_login(owner)
    page = client_a.get(f"/organisations/{organisation.pk}/").content.decode()
    assert "Comptez environ" in page


def test_deleting_a_theme_says_what_goes_with_it_in_words_agreeing_with_the_number(staff_client, draft):
    theme = authoring.add_theme(draft, code="NEUF", title="Thème neuf")
    confirm = f"/gestion/referentiel/themes/{theme.pk}/supprimer/"
    expected = [
        "Le thème n'a pas de question.",
        "Sa question et ses choix seront supprimés du brouillon.",
        "Ses 2 questions et leurs choix seront supprimés du brouillon.",
    ]
    for count, consequence in enumerate(expected):
        if count:
            authoring.add_question(theme, code=f"NEUF-0{count}", text="Une question ?", kind=QuestionKind.YESNO)

        page = html.unescape(staff_client.get(confirm).content.decode())

        assert consequence in page
