"""Form errors: all at once, summed up at the top of the form with links to the fields, each field marked."""

from decimal import Decimal

import pytest

from referentiel.models import Answer
from referentiel.services import AnswerInput, AssessmentError, save_answer
from referentiel.structure import structure_for

from .organisations.test_organisations import FORM, participant
from .referentiel.test_questionnaire import (  # noqa: F401 - fixtures
    HTMX,
    assessment,
    autosave_url,
    client,
    organisation,
    owner,
    question,
)


def test_every_error_is_summed_up_at_the_top_with_a_link_to_its_field(in_a, client_a):
    client_a.force_login(participant())

    page = client_a.post("/organisations/nouvelle/", {**FORM, "name": "", "siret": "73282932000075"}).content.decode()

    summary = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "Le formulaire contient 2 erreurs" in summary
    assert 'href="#id_name"' in summary and 'href="#id_siret"' in summary
    assert page.index('role="alert"') < page.index('id="id_name"')  # above the fields
    assert page.count('aria-invalid="true"') == 2  # both fields marked


def test_allauth_forms_have_the_summary_too(in_a, client_a):
    page = client_a.post("/comptes/signup/", {"email": "pas-une-adresse", "first_name": ""}).content.decode()

    assert "Le formulaire contient" in page
    assert 'href="#id_first_name"' in page and 'href="#id_email"' in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize(("typed", "stored"), [("45 000", Decimal("45000")), ("12,5", Decimal("12.5"))])
def test_numbers_typed_in_french_are_accepted(client, assessment, typed, stored):  # noqa: F811
    numeric = question("ENE-02")

    response = client.post(autosave_url(assessment, numeric), {f"q{numeric.pk}-value": typed}, **HTMX)

    assert "Enregistré à" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, question=numeric).value == stored


def test_a_percentage_is_between_0_and_100(client, assessment, owner):  # noqa: F811
    share = question("DEC-03")
    assert share.unit == "%"

    response = client.post(autosave_url(assessment, share), {f"q{share.pk}-value": "120"}, **HTMX)

    assert "Un pourcentage est compris entre 0 et 100." in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment, question=share).exists()
    spec = structure_for(assessment.version).questions[share.pk]
    with pytest.raises(AssessmentError, match="entre 0 et 100"):
        save_answer(assessment, spec, owner, AnswerInput(value=Decimal("100.5")))
    assert save_answer(assessment, spec, owner, AnswerInput(value=Decimal("100"))).value == Decimal("100")


def test_the_theme_page_sums_up_its_refused_answers_with_links(client, assessment):  # noqa: F811
    share = question("DEC-03")
    response = client.post(
        f"/auto-evaluations/{assessment.pk}/themes/{share.theme.code}/",
        {f"q{share.pk}-value": "250", "go": "next"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    summary = page.split('id="reponses-refusees"', 1)[1].split("</div>", 1)[0]
    assert f'href="#question-{share.pk}"' in summary
    assert "Un pourcentage est compris entre 0 et 100." in summary
