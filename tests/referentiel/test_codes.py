"""Theme and question codes that later code cannot handle are refused, on import, in the editor and at publication.

A theme coded `overall` collided with the key of the overall progress in scoring.compare(): the results page of
an organisation's second assessment was a 500. Codes differing only by case read as one code.
"""

import copy

import pytest
from django.test import Client

from accounts.enums import Role
from accounts.models import User
from assett.problems import Problem
from referentiel import authoring
from referentiel.authoring import AuthoringError
from referentiel.loader import NATIONAL_REFERENTIAL, read_yaml, validate_referential
from referentiel.models import Theme
from referentiel.services import current_version

from ..conftest import TERRITORY_A


@pytest.fixture(scope="module")
def national():
    return read_yaml(NATIONAL_REFERENTIAL)


def renamed(national, old, new, *, question=False):
    data = copy.deepcopy(national)
    for theme in data["themes"]:
        items = theme["questions"] if question else [theme]
        for item in items:
            if item["code"] == old:
                item["code"] = new
    return data


@pytest.mark.parametrize("code", ["overall", "OVERALL", "Overall"])
def test_a_theme_coded_overall_is_refused_on_import_with_its_location(national, code):
    problems = validate_referential(renamed(national, "ENE", code))

    [problem] = problems
    assert problem.location == f"thème {code}"
    assert "réservé" in problem.message


def test_a_question_may_be_coded_overall(national):
    assert validate_referential(renamed(national, "ENE-01", "overall", question=True)) == []


def test_codes_differing_only_by_case_are_refused_on_import(national):
    data = renamed(renamed(national, "EAU", "ene"), "ENE-02", "ene-01", question=True)

    problems = validate_referential(data)

    assert {problem.location for problem in problems} == {"thème ene", "question ene-01"}
    assert all(isinstance(problem, Problem) for problem in problems)
    assert any("ne diffère de « ENE » que par les majuscules" in problem.message for problem in problems)
    assert any("ne diffère de « ENE-01 » que par les majuscules" in problem.message for problem in problems)


@pytest.fixture
def staff(in_a):
    return User.objects.create_user("charge.climat@a.example", "Mot-de-passe-42", role=Role.STAFF)


@pytest.fixture
def draft(staff):
    return authoring.start_draft(staff)


@pytest.mark.parametrize("code", ["overall", "Overall"])
def test_the_editor_services_refuse_a_theme_coded_overall(draft, code):
    theme = Theme.objects.filter(version=draft).order_by("order").first()

    with pytest.raises(AuthoringError, match="réservé"):
        authoring.add_theme(draft, code=code, title="Vue d'ensemble")
    with pytest.raises(AuthoringError, match="réservé"):
        authoring.update_theme(theme, code=code)

    assert not Theme.objects.filter(version=draft, code__iexact="overall").exists()


def test_the_editor_services_refuse_case_twins(draft):
    theme = Theme.objects.get(version=draft, code="ENE")

    with pytest.raises(AuthoringError, match="« ene » ne diffère de « ENE »"):
        authoring.add_theme(draft, code="ene", title="Énergie bis")
    with pytest.raises(AuthoringError, match="« ene-02 » ne diffère de « ENE-02 »"):
        authoring.add_question(theme, code="ene-02", text="Doublon ?")


def test_the_theme_form_shows_the_reserved_code_beside_the_field(draft, staff):
    client = Client(HTTP_HOST=TERRITORY_A.domain)
    client.force_login(staff)
    before = Theme.objects.filter(version=draft).count()

    response = client.post("/gestion/referentiel/themes/ajouter/", {"code": "overall", "title": "Vue d'ensemble"})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert "réservé par la plateforme" in response.content.decode()
    assert Theme.objects.filter(version=draft).count() == before


def test_a_draft_holding_a_reserved_code_cannot_be_published(draft, staff):
    # Written past the editor (an older draft, a direct fix in the database): publication checks again.
    Theme.objects.filter(version=draft, code="ENE").update(code="overall")
    published = current_version()

    with pytest.raises(AuthoringError) as raised:
        authoring.publish_draft(draft, staff)

    assert [problem.location for problem in raised.value.problems] == ["thème overall"]
    assert current_version() == published
