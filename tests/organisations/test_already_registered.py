"""A SIRET already registered: the person is told so and offered to ask to join, never the database's words."""

import pytest
from django.db import IntegrityError

from organisations import services
from organisations.constants import JOIN_SEARCH_RATE_LIMIT
from organisations.models import Organisation

from .test_organisations import FORM, VALID_SIRET, organisation_for, participant


def test_a_registered_siret_offers_to_join_the_organisation(in_a, client_a):
    registered = organisation_for(participant("premiere@example.org"), name="Boulangerie du Clain")
    client_a.force_login(participant())

    response = client_a.post("/organisations/nouvelle/", {**FORM, "siret": VALID_SIRET})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Une organisation est déjà inscrite avec ce SIRET" in page
    assert "contrainte" not in page and "unique_siret" not in page
    assert f'href="/organisations/rejoindre/{registered.public_id}/"' in page
    assert "Demander à rejoindre Boulangerie du Clain" in page
    assert 'id="id_siret_error"' in page  # the error stands beside the field
    assert "SIRET est obligatoire" not in page  # the model's check of a refused field is not added
    assert Organisation.objects.count() == 1


def test_changing_the_siret_to_a_registered_one_is_refused_the_same_way(in_a, client_a):
    owner = participant()
    registered = organisation_for(participant("premiere@example.org"), name="Boulangerie du Clain")
    mine = organisation_for(owner, name="Atelier Vélo", siret="35600000000048")
    client_a.force_login(owner)

    response = client_a.post(f"/organisations/{mine.pk}/modifier/", {**FORM, "siret": VALID_SIRET})

    assert response.status_code == 200
    assert f"/organisations/rejoindre/{registered.public_id}/" in response.content.decode()
    mine.refresh_from_db()
    assert mine.siret == "35600000000048"


def test_a_member_of_the_registered_organisation_is_sent_to_it(in_a, client_a):
    owner = participant()
    registered = organisation_for(owner)
    client_a.force_login(owner)

    response = client_a.post("/organisations/nouvelle/", {**FORM, "siret": VALID_SIRET})

    assert f'href="/organisations/{registered.pk}/"' in response.content.decode()


def test_the_offer_counts_as_a_join_search(in_a, client_a):
    """Naming the organisation that holds a SIRET is what the join search does: same rate limit."""
    registered = organisation_for(participant("premiere@example.org"))
    client_a.force_login(participant())

    for _ in range(JOIN_SEARCH_RATE_LIMIT):
        assert str(registered.public_id) in client_a.post("/organisations/nouvelle/", FORM).content.decode()
    page = client_a.post("/organisations/nouvelle/", FORM).content.decode()

    assert str(registered.public_id) not in page
    assert registered.name not in page
    assert 'href="/organisations/rejoindre/"' in page  # still a way forward
    assert "Une organisation est déjà inscrite avec ce SIRET" in page


def test_the_service_refuses_a_registered_siret_with_the_organisation_to_join(in_a):
    registered = organisation_for(participant("premiere@example.org"))

    with pytest.raises(services.AlreadyRegistered) as raised:
        organisation_for(participant())

    assert raised.value.organisation == registered


def test_a_colleague_registering_in_between_gives_the_same_answer(in_a, monkeypatch):
    """The check before the write misses a colleague who saves in between: the constraint answers then."""
    registered = organisation_for(participant("premiere@example.org"))
    real = services.registered_organisation
    calls = []

    def misses_the_first_time(siret, exclude=None):
        calls.append(siret)
        return None if len(calls) == 1 else real(siret, exclude=exclude)

    monkeypatch.setattr(services, "registered_organisation", misses_the_first_time)

    with pytest.raises(services.AlreadyRegistered) as raised:
        organisation_for(participant())

    assert raised.value.organisation == registered
    assert len(calls) == 2


def test_another_integrity_error_is_not_disguised(in_a, monkeypatch):
    monkeypatch.setattr(services, "registered_organisation", lambda siret, exclude=None: None)
    organisation_for(participant("premiere@example.org"))

    with pytest.raises(IntegrityError):
        organisation_for(participant())
