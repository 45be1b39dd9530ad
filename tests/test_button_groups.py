"""DSFR button groups: inside a `fr-btns-group` without `fr-btns-group--icon-left`, the DSFR shows a button
with an icon as the icon alone (40 px, its text hidden), whatever `fr-btn--icon-left` says on the button."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
GROUP = re.compile(r'<ul class="(fr-btns-group[^"]*)"(.*?)</ul>', re.S)


def test_a_group_of_buttons_with_icon_and_text_says_so():
    wrong = [
        f"{path.relative_to(TEMPLATES)}: {classes}"
        for path in TEMPLATES.rglob("*.html")
        for classes, body in GROUP.findall(path.read_text(encoding="utf-8"))
        if "fr-btn--icon-left" in body and "fr-btns-group--icon-left" not in classes
    ]
    assert not wrong, wrong
