"""An excerpt over several steps joins them with « … » (and nothing else of the query's making)."""

from django.test import Client

from .factories import ActionFactory, ActionStepFactory


def test_steps_are_joined_by_an_ellipsis_in_the_excerpt(in_a, territory_a):
    action = ActionFactory(code="HL-STEPS", title="Une action", body="")
    ActionStepFactory(action=action, order=1, text="Relever le compteur de chaleur")
    ActionStepFactory(action=action, order=2, text="Comparer le compteur avec l'an passé")

    page = Client(HTTP_HOST=territory_a.get_primary_domain().domain).get("/boite-a-outils/?q=compteur")

    html = page.content.decode()
    assert "Relever le <mark>compteur</mark> de chaleur … Comparer le <mark>compteur</mark>" in html
    assert "Cast(" not in html and "Value(" not in html
