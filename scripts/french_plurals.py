"""Fill the French catalog's plural entries from the source strings, then compile it.

The interface is written in French: locale/fr/LC_MESSAGES/django.po leaves every msgstr empty (the
msgid is the French text), except plural messages. Without a translation Django picks the plural
form by the English rule (n != 1), which writes « 0 organisations »; French uses the singular for
0 and 1. A plural entry whose msgstr[0] and msgstr[1] repeat msgid and msgid_plural is chosen by
the catalog's own rule, « plural=(n > 1) ».

    python manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=node_modules \\
        --ignore=bench --ignore=tests --ignore=.local
    python scripts/french_plurals.py        # fills the plural entries and writes django.mo (msgfmt)
"""

import subprocess
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _field(lines, keyword):
    """The quoted lines of `keyword` (its first line without the keyword, then its continuations)."""
    for index, line in enumerate(lines):
        if line.startswith(keyword + " "):
            values = [line[len(keyword) + 1 :]]
            for following in lines[index + 1 :]:
                if not following.startswith('"'):
                    break
                values.append(following)
            return values
    return None


def _unfuzzy(lines):
    """msgmerge's guesses (« fuzzy », with the previous msgid in « #| » lines) dropped: a French
    entry's text is its msgid, never a neighbour's."""
    kept = []
    for line in lines:
        if line.startswith("#|"):
            continue
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        kept.append(line)
    return kept


def fill(entry):
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in entry.split("\n"))
    lines = _unfuzzy(entry.split("\n"))
    singular, plural = _field(lines, "msgid"), _field(lines, "msgid_plural")
    first_msgstr = next((index for index, line in enumerate(lines) if line.startswith("msgstr")), None)
    if first_msgstr is None or lines[0] == 'msgid ""' and first_msgstr == 1:  # the header
        return "\n".join(lines)
    if plural is None:
        return "\n".join([*lines[:first_msgstr], 'msgstr ""']) if fuzzy else "\n".join(lines)
    return "\n".join(
        [*lines[:first_msgstr], "msgstr[0] " + singular[0], *singular[1:], "msgstr[1] " + plural[0], *plural[1:]]
    )


def main():
    text = CATALOG.read_text(encoding="utf-8")
    entries = text.rstrip("\n").split("\n\n")
    CATALOG.write_text("\n\n".join(fill(entry) for entry in entries) + "\n", encoding="utf-8")
    # Fixed arguments; msgfmt comes with gettext, which makemessages needs anyway.
    command = ["msgfmt", "--check", "-o", str(CATALOG.with_suffix(".mo")), str(CATALOG)]
    subprocess.run(command, check=True)  # noqa: S603, S607
    print(f"{sum('msgid_plural' in entry for entry in entries)} plural entries filled; {CATALOG.with_suffix('.mo')}")


if __name__ == "__main__":
    sys.exit(main())
