"""The icon subset (static/css/icons.css) is the one scripts/dsfr_icons.py builds from what the code names."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from assett.icons import THEME_ICONS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("dsfr_icons", ROOT / "scripts" / "dsfr_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_stylesheet_is_up_to_date(script):
    expected = script.stylesheet(script.icons_in_use())
    assert script.OUTPUT.read_text(encoding="utf-8") == expected, "run .venv/bin/python scripts/dsfr_icons.py"


def test_every_theme_icon_and_template_icon_is_in_it(script):
    css = script.OUTPUT.read_text(encoding="utf-8")
    for icon in {*THEME_ICONS, "fr-icon-arrow-left-line", "fr-icon-flashlight-line"}:
        assert f".{icon}:after" in css
    # Pointed at django-dsfr's own SVG files, which exist.
    for path in re.findall(r"url\(\.\./(dsfr/dist/icons/[^)]+)\)", css):
        assert finders.find(path), path


def test_an_unknown_icon_is_refused(script):
    with pytest.raises(SystemExit, match="fr-icon-nonexistent-line"):
        script.icon_rules({"fr-icon-nonexistent-line"})
