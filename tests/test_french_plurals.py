"""French plurals: 0 and 1 take the singular (« 0 organisation »), from the compiled French catalog."""

import gettext
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"
PLURAL_ENTRY = re.compile(r'^msgid "(.*)"\nmsgid_plural "(.*)"$', re.MULTILINE)


def test_the_compiled_catalog_holds_every_plural_of_the_po_file_with_the_french_rule():
    """django.mo is django.po compiled (scripts/french_plurals.py): a plural added to the .po but not
    compiled, or a catalog without the French rule, fails here."""
    with (CATALOG / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    entries = PLURAL_ENTRY.findall((CATALOG / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 40
    for singular, plural in entries:
        singular, plural = _unquoted(singular), _unquoted(plural)
        if not singular or not plural:  # written over several lines: the template test reads one of those
            continue
        assert [compiled.ngettext(singular, plural, n) for n in (0, 1, 2)] == [singular, singular, plural]


def _unquoted(text):
    return text.replace('\\"', '"').replace("\\n", "\n")


def test_zero_takes_the_singular_in_a_page():
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} organisation{% plural %}"
        "{{ counter }} organisations{% endblocktranslate %}"
    )
    with translation.override("fr"):
        assert [template.render(Context({"n": n})) for n in (0, 1, 3)] == [
            "0 organisation",
            "1 organisation",
            "3 organisations",
        ]
