"""The commune of an organisation is chosen from the official list (postal code → communes); one
outside the territory's communes is flagged, and the territory's staff accept it explicitly.

Territory A's SIREN is Grand Poitiers' (200069854, 40 communes); B's Toulouse Métropole's.
Postal code 86190 serves communes of Grand Poitiers (Béruges, 86024) and of the CC du Haut
Poitou (Ayron, 86017)."""

import random
import re

import pytest
from django_tenants.utils import schema_context

from accounts.enums import Role
from accounts.models import User
from assett.communes import territory_communes
from organisations.demo import demo_siret, seed_organisations
from organisations.models import Organisation
from organisations.services import OrganisationError, accept_organisation, create_organisation, update_organisation

from ..same_ids import align_next_ids

AYRON, BERUGES, POITIERS = "86017", "86024", "86194"


def person(email, role=Role.PARTICIPANT):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def html(response):
    """The page with the select widget's line breaks before « > » taken out."""
    return re.sub(r"\s+>", ">", response.content.decode())


def form(**changes):
    return {
        "name": "Atelier Vélo",
        "kind": "entreprise",
        "siret": "732 829 320 00074",
        "siren": "",
        "naf_code": "47.64Z",
        "headcount_band": "01",
        "address": "",
        "postal_code": "86190",
        "commune": BERUGES,
        **changes,
    }


@pytest.fixture
def participant_client(in_a, client_a):
    client_a.force_login(person("camille@example.org"))
    return client_a


@pytest.fixture
def staff_client(in_a, client_a):
    client_a.force_login(person("equipe@a.example", role=Role.STAFF))
    return client_a


def outside_organisation(name="Ferme d'Ayron"):
    siret = demo_siret(random.Random(name))
    return create_organisation(
        person(f"owner-{siret}@example.org"),
        name=name,
        kind="entreprise",
        siret=siret,
        headcount_band="01",
        postal_code="86190",
        commune="Ayron",
        commune_code=AYRON,
    )


def test_the_commune_is_chosen_among_those_of_the_postal_code(participant_client):
    page = participant_client.get("/organisations/nouvelle/").content.decode()
    assert "Saisissez d&#x27;abord le code postal" in page
    assert 'data-hx-get="/organisations/communes/"' in page

    response = participant_client.post("/organisations/nouvelle/", form())

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert (organisation.postal_code, organisation.commune, organisation.commune_code) == ("86190", "Béruges", BERUGES)
    assert not organisation.outside_territory


def test_a_postal_code_of_one_commune_needs_no_choice(participant_client):
    participant_client.post("/organisations/nouvelle/", form(postal_code="86000", commune=""))
    assert Organisation.objects.values_list("commune", "commune_code").get() == ("Poitiers", POITIERS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postal_code": "00000"}, "Ce code postal n&#x27;existe pas"),
        ({"postal_code": "8619"}, "Ce code postal n&#x27;existe pas"),
        ({"commune": ""}, "Choisissez la commune dans la liste de ce code postal"),
        ({"commune": POITIERS}, "Choisissez la commune dans la liste de ce code postal"),  # not a commune of 86190
        ({"commune": "Paris"}, "Choisissez la commune dans la liste de ce code postal"),
    ],
)
def test_a_commune_not_of_the_postal_code_is_refused(participant_client, changes, message):
    response = participant_client.post("/organisations/nouvelle/", form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_without_javascript_a_button_shows_the_communes_of_the_postal_code_and_keeps_what_was_typed(
    participant_client,
):
    response = participant_client.post("/organisations/nouvelle/", form(commune="", action="communes"))

    page = html(response)
    assert response.status_code == 200
    assert not Organisation.objects.exists()
    assert "Le formulaire contient" not in page  # asking for the list is not an error
    assert 'value="Atelier Vélo"' in page
    assert f'<option value="{BERUGES}">Béruges</option>' in page
    assert f'<option value="{AYRON}">Ayron (hors du territoire)</option>' in page
    # Enter in a field saves: the form's first submit button is a plain one, before « Afficher les communes ».
    assert page.index('<button type="submit" hidden') < page.index('value="communes"')


def test_the_commune_list_follows_the_postal_code_as_it_is_typed(participant_client, django_assert_num_queries):
    participant_client.get("/organisations/communes/", {"postal_code": "86000"})  # the host is now known
    with django_assert_num_queries(1):  # the user (sessions are in the cache); the list is in memory
        response = participant_client.get("/organisations/communes/", {"postal_code": "86190"})

    fragment = html(response)
    assert fragment.startswith('<div id="commune-field">')
    assert f'<option value="{BERUGES}">Béruges</option>' in fragment
    assert "Ayron (hors du territoire)" in fragment
    assert "<html" not in fragment
    empty = participant_client.get("/organisations/communes/", {"postal_code": "123"}).content.decode()
    assert "Saisissez d&#x27;abord le code postal" in empty


def test_an_organisation_outside_the_territory_is_registered_with_a_warning_and_awaits_acceptance(
    participant_client,
):
    response = participant_client.post("/organisations/nouvelle/", form(commune=AYRON), follow=True)

    organisation = Organisation.objects.get()
    page = response.content.decode()
    assert organisation.outside_territory and organisation.awaits_acceptance
    assert "Ayron n&#x27;est pas une commune de Territoire A" in page
    assert "l&#x27;équipe du programme va examiner l&#x27;inscription" in page
    assert "examine l'inscription de votre organisation" in page  # and the organisation's page says it too


def test_staff_see_and_accept_an_organisation_outside_the_territory_after_a_confirmation(staff_client):
    outside = outside_organisation()
    inside = outside_organisation("Boulangerie de Béruges")
    update_organisation(inside, commune="Béruges", commune_code=BERUGES)

    home = staff_client.get("/mon-espace/").content.decode()
    assert "1 organisation hors du territoire à accepter" in home
    listing = staff_client.get("/gestion/organisations/", {"to_accept": "on"}).content.decode()
    assert "Ferme d&#x27;Ayron" in listing and "Hors territoire, à accepter" in listing
    assert "Boulangerie de Béruges" not in listing
    detail = staff_client.get(f"/gestion/organisations/{outside.pk}/").content.decode()
    assert f'href="/gestion/organisations/{outside.pk}/accepter/"' in detail

    confirmation = staff_client.get(f"/gestion/organisations/{outside.pk}/accepter/").content.decode()
    assert "Accepter Ferme d&#x27;Ayron ?" in confirmation
    assert "Ayron (86190), qui n'est pas une commune de Territoire A" in confirmation
    outside.refresh_from_db()
    assert outside.awaits_acceptance  # the page alone accepts nothing

    response = staff_client.post(f"/gestion/organisations/{outside.pk}/accepter/", follow=True)

    outside.refresh_from_db()
    assert not outside.awaits_acceptance and outside.accepted_by.email == "equipe@a.example"
    assert "acceptée le" in response.content.decode()
    assert "à accepter" not in staff_client.get("/mon-espace/").content.decode()
    # A second acceptance is refused, and the confirmation page sends back to the organisation.
    with pytest.raises(OrganisationError):
        accept_organisation(outside, outside.accepted_by)
    assert staff_client.get(f"/gestion/organisations/{outside.pk}/accepter/").status_code == 302


def test_a_move_inside_clears_the_flag_and_a_move_to_another_outside_commune_asks_again(in_a):
    organisation = accept_organisation(outside_organisation(), person("equipe@a.example", role=Role.STAFF))

    update_organisation(organisation, name="Ferme d'Ayron et d'ailleurs")  # same commune: still accepted
    assert organisation.outside_territory and not organisation.awaits_acceptance
    update_organisation(organisation, postal_code="86190", commune="Chalandray", commune_code="86050")
    assert organisation.awaits_acceptance
    update_organisation(organisation, postal_code="86000", commune="Poitiers", commune_code=POITIERS)
    organisation.refresh_from_db()
    assert not organisation.outside_territory and not organisation.awaits_acceptance


def test_an_organisation_registered_before_the_list_is_edited_with_its_commune_found(participant_client):
    owner = User.objects.get(email="camille@example.org")
    organisation = create_organisation(
        owner, name="Atelier Vélo", kind="entreprise", siret="73282932000074", headcount_band="01", commune="Béruges"
    )
    Organisation.objects.filter(pk=organisation.pk).update(postal_code="86190")

    page = html(participant_client.get(f"/organisations/{organisation.pk}/modifier/"))

    assert f'<option value="{BERUGES}" selected>Béruges</option>' in page


def test_the_territory_decides_what_is_outside_and_staff_of_another_territory_cannot_accept(
    db, territory_a, territory_b, client_b
):
    with schema_context(territory_b.schema_name):
        align_next_ids([Organisation], territory_a, territory_b)
    with schema_context(territory_a.schema_name):
        in_a = create_organisation(
            person("a@example.org"),
            name="Ferme d'Ayron",
            kind="entreprise",
            siret="73282932000074",
            headcount_band="01",
            postal_code="86190",
            commune="Ayron",
            commune_code=AYRON,
        )
    with schema_context(territory_b.schema_name):
        # Béruges is a commune of Grand Poitiers (A), not of Toulouse Métropole (B).
        in_b = create_organisation(
            person("b@example.org"),
            name="Boulangerie de Béruges",
            kind="entreprise",
            siret="73282932000074",
            headcount_band="01",
            postal_code="86190",
            commune="Béruges",
            commune_code=BERUGES,
        )
        assert in_b.pk == in_a.pk and in_b.awaits_acceptance
        client_b.force_login(person("equipe@b.example", role=Role.STAFF))

    page = client_b.get(f"/gestion/organisations/{in_a.pk}/accepter/").content.decode()
    assert "Boulangerie de Béruges" in page and "Ferme d&#x27;Ayron" not in page
    client_b.post(f"/gestion/organisations/{in_a.pk}/accepter/")

    with schema_context(territory_a.schema_name):
        assert Organisation.objects.get(pk=in_a.pk).awaits_acceptance
    with schema_context(territory_b.schema_name):
        assert not Organisation.objects.get(pk=in_b.pk).awaits_acceptance


def test_demo_organisations_are_in_communes_of_the_territory_but_one_for_staff_to_accept(in_a):
    organisations = seed_organisations(in_a, "Mot-de-passe-42")

    inside, outside = organisations[:-1], organisations[-1]
    assert {o.commune_code for o in inside} <= territory_communes(in_a.siren)
    assert all(o.postal_code and not o.outside_territory for o in inside)
    assert (outside.commune, outside.awaits_acceptance) == ("Paris", True)
