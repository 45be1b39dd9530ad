"""The page layout: every page links the DSFR's styles and scripts, ours, and the territory's colours."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, set_urlconf

from tenants.templatetags.layout import layout_url


def _links(page):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_every_page_links_the_design_system_our_styles_and_scripts_once(client_a, public_client):
    for client in (client_a, public_client):
        page = client.get("/").content.decode()
        links = _links(page)

        for asset in (
            "dsfr/dsfr.main.min.css",
            "css/icons.css",
            "favicon/favicon.svg",
            "dsfr/dsfr.module.min.js",
            "dsfr.nomodule.min.js",
        ):
            assert sum(asset in link for link in links) == 1, asset
        assert links.count("/static/css/assett.css") == 1
        # htmx only where a page uses it (the questionnaire): not on the home page.
        assert "/static/vendor/htmx.min.js" not in links
        assert "utility.min.css" not in page
        # Each linked file exists (a renamed asset would break every page silently).
        for link in links:
            assert finders.find(link.removeprefix("/static/")), link


def test_only_a_territory_page_links_its_colours_after_our_styles(client_a, public_client):
    page = client_a.get("/").content.decode()
    assert page.index("/static/css/assett.css") < page.index('href="/theme.css?v=')
    assert 'href="/theme.css?v=' not in public_client.get("/").content.decode()


def test_layout_links_are_reversed_per_url_configuration(client_a, public_client):
    assert 'href="/theme.css?v=' in client_a.get("/").content.decode()  # reversed with the territories' URLs
    set_urlconf("assett.urls_public")
    try:
        with pytest.raises(NoReverseMatch):  # the national site has no theme.css
            layout_url("theme_css")
        assert layout_url("account_login") == "/comptes/login/"
    finally:
        set_urlconf(None)
