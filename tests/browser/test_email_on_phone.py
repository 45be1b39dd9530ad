"""An email's HTML part read on a phone: a long link (the invitations' unsubscribe one) wraps instead of
widening the whole message past the screen."""

import pytest

from mailing.services import html_from_text

pytestmark = pytest.mark.browser


def test_a_long_link_wraps_within_a_phone_screen(page, in_a, territory_a):
    link = "http://grand-poitiers.localhost/evenements/invitations/ne-plus-recevoir/" + "NDA1xYlHh2eX" * 6 + "/"
    body = f"Bonjour,\n\nPour ne plus recevoir d'invitations :\n{link}\n"

    page.set_viewport_size({"width": 375, "height": 740})
    page.set_content(html_from_text(body, "Invitation", territory_a))

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_role("link", name=link).is_visible()
