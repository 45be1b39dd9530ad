"""Finding an organisation to join: by name (accents and case ignored) or by full SIRET/SIREN, within
the territory, a limited number of times; the join page is not reachable by counting ids."""

import uuid

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import User
from organisations import search
from organisations.constants import JOIN_SEARCH_RATE_LIMIT
from organisations.enums import OrganisationKind
from organisations.models import JoinRequest, Organisation
from organisations.services import create_organisation

ECOMUSEE_SIRET = "73282932000074"


def participant(email="camille@example.org"):
    user = User.objects.create_user(email, "Mot-de-passe-42")
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def organisation(owner, name, siret, **fields):
    return create_organisation(
        owner,
        **{
            "name": name,
            "kind": OrganisationKind.ENTREPRISE,
            "siret": siret,
            "headcount_band": "02",
            "commune": "Poitiers",
            **fields,
        },
    )


@pytest.fixture
def ecomusee(in_a):
    return organisation(participant("owner@example.org"), "L’Écomusée du Cœur", ECOMUSEE_SIRET)


@pytest.fixture
def searcher(in_a, client_a):
    user = participant()
    client_a.force_login(user)
    return user


def found(client, query):
    response = client.get("/organisations/rejoindre/", {"q": query})
    assert response.status_code == 200
    return "Écomusée du Cœur" in response.content.decode()


@pytest.mark.parametrize("query", ["ecomusee", "ÉCOMUSÉE", "coeur", "DU  COEUR", "l'ecomusée", "  Écomu  "])
def test_name_search_ignores_accents_and_case(ecomusee, searcher, client_a, query):
    assert found(client_a, query)


def test_name_search_finds_nothing_for_another_name(ecomusee, searcher, client_a):
    assert not found(client_a, "boulangerie")


@pytest.mark.parametrize("query", ["ec", "  é  ", "l’"])
def test_a_query_under_three_characters_is_refused_in_french(ecomusee, searcher, client_a, query):
    response = client_a.get("/organisations/rejoindre/", {"q": query})
    html = response.content.decode()
    assert "Saisissez au moins 3 caractères." in html
    assert "Écomusée" not in html


@pytest.mark.parametrize("query", [ECOMUSEE_SIRET, "732 829 320 00074", "732829320", "732 829 320"])
def test_search_by_full_siret_or_siren(ecomusee, searcher, client_a, query):
    assert found(client_a, query)


@pytest.mark.parametrize("query", ["7328", "73282932", "7328293200007"])
def test_an_identifier_prefix_matches_nothing(ecomusee, searcher, client_a, query):
    assert not found(client_a, query)


def test_results_lead_to_the_join_page_by_public_id(ecomusee, searcher, client_a):
    html = client_a.get("/organisations/rejoindre/", {"q": "ecomusee"}).content.decode()

    assert f"/organisations/rejoindre/{ecomusee.public_id}/" in html
    assert f"/organisations/{ecomusee.pk}/" not in html
    page = client_a.get(f"/organisations/rejoindre/{ecomusee.public_id}/")
    assert page.status_code == 200
    assert "Demander à rejoindre L’Écomusée du Cœur" in page.content.decode()


def test_walking_ids_reveals_no_organisation(ecomusee, searcher, client_a):
    other = organisation(participant("other@example.org"), "Menuiserie Durable", "35600000000048")
    for pk in range(1, max(ecomusee.pk, other.pk) + 3):
        for path in (f"/organisations/{pk}/demander/", f"/organisations/{pk}/", f"/organisations/rejoindre/{pk}/"):
            response = client_a.get(path)
            assert response.status_code == 404, path
            assert "Écomusée" not in response.content.decode()
            assert "Menuiserie" not in response.content.decode()
    assert client_a.get(f"/organisations/rejoindre/{uuid.uuid4()}/").status_code == 404
    client_a.post(f"/organisations/{ecomusee.pk}/demander/", {"message": ""})
    assert not JoinRequest.objects.exists()


def test_searches_are_rate_limited_per_person(ecomusee, searcher, client_a):
    for _ in range(JOIN_SEARCH_RATE_LIMIT):
        assert found(client_a, "ecomusee")

    response = client_a.get("/organisations/rejoindre/", {"q": "ecomusee"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Patientez quelques minutes" in html
    assert "Écomusée du Cœur" not in html
    # Someone else still searches.
    client_a.force_login(participant("autre@example.org"))
    assert found(client_a, "ecomusee")


def test_refused_queries_do_not_count_against_the_limit(ecomusee, searcher, client_a):
    for _ in range(JOIN_SEARCH_RATE_LIMIT + 5):
        client_a.get("/organisations/rejoindre/", {"q": "ec"})
    assert found(client_a, "ecomusee")


# No server listens on port 1: the connection is refused at once.
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
)
def test_the_limit_fails_open_when_the_cache_is_down(searcher):
    assert all(search.consume_join_search(searcher) for _ in range(JOIN_SEARCH_RATE_LIMIT + 5))


def test_b_never_finds_a_organisations_even_with_the_same_ids(ecomusee, territory_b, client_b):
    connection.set_tenant(territory_b)
    owner_b = participant("owner@example.org")
    # B's organisation takes A's id, so that a request served from the wrong schema would show the other name.
    twin = organisation(owner_b, "Fromagerie de Besançon", "35600000000048", id=ecomusee.pk)
    assert twin.pk == ecomusee.pk
    client_b.force_login(participant())

    def page(query):
        response = client_b.get("/organisations/rejoindre/", {"q": query})
        assert response.status_code == 200
        return response.content.decode()

    assert "Écomusée" not in page("ecomusee")
    assert "Écomusée" not in page(ECOMUSEE_SIRET)
    assert "Fromagerie de Besançon" in page("fromagerie")
    assert f"/organisations/rejoindre/{twin.public_id}/" in page("besancon")
    assert client_b.get(f"/organisations/rejoindre/{ecomusee.public_id}/").status_code == 404
    assert not Organisation.objects.filter(public_id=ecomusee.public_id).exists()
