"""Staff link toolbox actions to PCAET actions; only a territory's staff see its PCAET."""

import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from referentiel.services import current_version
from toolbox.models import PcaetAction
from toolbox.pcaet import PcaetError, set_pcaet_links

from .factories import ActionFactory, PcaetActionFactory


def make_user(email, role=Role.STAFF):
    user = User.objects.create_user(email, "Mot-de-passe-42", role=role)
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


@pytest.fixture
def staff(in_a):
    return make_user("climat@a.example")


def test_set_links_replaces_the_previous_ones(in_a):
    pcaet = PcaetActionFactory()
    first, second, third = ActionFactory(), ActionFactory(), ActionFactory()
    set_pcaet_links(pcaet, [first, second])

    set_pcaet_links(pcaet, [second, third])

    assert set(pcaet.toolbox_actions.all()) == {second, third}
    with pytest.raises(PcaetError):
        set_pcaet_links(pcaet, [ActionFactory.build()])  # not saved: not the territory's


def test_staff_link_actions_from_the_pcaet_action_page_grouped_by_theme(client_a, staff):
    theme = current_version().themes.order_by("order").first()
    energy = ActionFactory(main_theme=theme.code, title="Changer les ampoules")
    hidden = ActionFactory(main_theme=theme.code, title="Ancienne action", hidden=True)
    local = ActionFactory(main_theme="LOCAL", title="Action du thème local")
    pcaet = PcaetActionFactory(code="1.2.3", title="Sobriété des entreprises")
    client_a.force_login(staff)

    page = client_a.get(f"/gestion/pcaet/actions/{pcaet.pk}/").content.decode()

    assert f'<legend class="fr-fieldset__legend" id="theme-{theme.code}-legend">{theme.title}</legend>' in page
    assert 'id="theme-LOCAL-legend">LOCAL</legend>' in page  # a theme the referential does not know
    assert page.index(energy.title) < page.index(local.title)
    hidden_label = page[page.index(f'for="action-{hidden.pk}"') :].split("</label>")[0]
    assert "masquée" in hidden_label

    response = client_a.post(f"/gestion/pcaet/actions/{pcaet.pk}/", {"actions": [energy.pk, hidden.pk]})

    assert response.status_code == 302
    assert set(pcaet.toolbox_actions.all()) == {energy, hidden}
    page = client_a.get(f"/gestion/pcaet/actions/{pcaet.pk}/").content.decode()
    assert f'value="{energy.pk}" id="action-{energy.pk}" checked' in page
    assert f'value="{local.pk}" id="action-{local.pk}">' in page
    # The list shows how many toolbox actions each PCAET action links.
    listing = client_a.get("/gestion/pcaet/").content.decode()
    row = listing[listing.index("1.2.3") :].split("</tr>")[0]
    assert "<td>2</td>" in row


def test_an_unknown_action_id_is_refused_and_changes_nothing(client_a, staff):
    pcaet = PcaetActionFactory()
    kept = ActionFactory()
    pcaet.toolbox_actions.add(kept)
    client_a.force_login(staff)

    response = client_a.post(f"/gestion/pcaet/actions/{pcaet.pk}/", {"actions": ["999999", "pas-un-nombre"]})

    assert response.status_code == 200
    assert "aucun lien n&#x27;a été modifié" in response.content.decode()
    assert list(pcaet.toolbox_actions.all()) == [kept]


def test_staff_of_territory_b_never_see_territory_a_pcaet(client_b, in_a, staff, territory_b):
    pcaet = PcaetActionFactory(code="A.1", title="Plan climat propre à A")
    pcaet.toolbox_actions.add(ActionFactory())
    connection.set_tenant(territory_b)
    staff_b = make_user("climat@b.example")
    client_b.force_login(staff_b)

    assert client_b.get(f"/gestion/pcaet/actions/{pcaet.pk}/").status_code == 404
    assert client_b.post(f"/gestion/pcaet/actions/{pcaet.pk}/", {"actions": []}).status_code == 404
    for url in ("/gestion/pcaet/", "/gestion/pcaet/contribution/", "/gestion/pcaet/contribution.csv"):
        response = client_b.get(url)
        assert response.status_code == 200
        assert "Plan climat propre à A" not in response.content.decode()
    connection.set_tenant(in_a)
    assert PcaetAction.objects.get(pk=pcaet.pk).toolbox_actions.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/gestion/pcaet/",
        "/gestion/pcaet/importer/",
        "/gestion/pcaet/contribution/",
        "/gestion/pcaet/contribution.xlsx",
        "/gestion/pcaet/actions/{pk}/",
    ],
)
def test_participants_get_a_404(client_a, in_a, url):
    pcaet = PcaetActionFactory()
    client_a.force_login(make_user("participant@a.example", role=Role.PARTICIPANT))

    assert client_a.get(url.format(pk=pcaet.pk)).status_code == 404
