"""Write static/css/icons.css: the DSFR icon rules of the icons the platform uses, nothing else.

    .venv/bin/python scripts/dsfr_icons.py

Run it after a template names a new icon (tests/test_icons.py fails until then) or after an
upgrade of django-dsfr. The icons are those named in templates/ and the apps' Python and YAML
files, plus assett.icons.THEME_ICONS; the rules are copied from the DSFR's own stylesheet with
their SVG paths pointed at django-dsfr's static files.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assett.icons import THEME_ICONS  # noqa: E402  (names only: no Django set-up needed)

OUTPUT = ROOT / "static" / "css" / "icons.css"
ICON = re.compile(r"fr-icon-[a-z0-9]+(?:-[a-z0-9]+)*-(?:line|fill)")
SOURCES = ("templates/**/*.html", "*/*.py", "*/**/*.py", "*/data/*.yaml")
SKIPPED = {".venv", "node_modules", ".local", "tests", "scripts", "bench"}


def dsfr_dist():
    import dsfr

    return Path(dsfr.__file__).parent / "static" / "dsfr" / "dist"


def icons_in_use(root=ROOT):
    names = set(THEME_ICONS)
    for pattern in SOURCES:
        for path in root.glob(pattern):
            if SKIPPED.isdisjoint(path.relative_to(root).parts):
                names |= set(ICON.findall(path.read_text(encoding="utf-8")))
    return names


def icon_rules(names):
    """The DSFR rules of `names`, in the DSFR's order; raises if one is not a DSFR icon."""
    css = (dsfr_dist() / "utility" / "icons" / "icons.main.min.css").read_text(encoding="utf-8")
    rules = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        name = re.match(r"\s*(?:/\*.*?\*/)?\s*\.(fr-icon-[a-z0-9-]+):", selector, re.S)
        if name and name.group(1) in names:
            # The stylesheet sits in dist/utility/icons/; ours in static/css/, next to static/dsfr/.
            rules[name.group(1)] = f".{name.group(1)}:after,.{name.group(1)}:before{{{body}}}".replace(
                "url(../../icons/", "url(../dsfr/dist/icons/"
            )
    missing = sorted(names - rules.keys())
    if missing:
        raise SystemExit(f"Not DSFR icons: {', '.join(missing)}")
    return [rules[name] for name in sorted(rules)]


def stylesheet(names):
    header = "/* Built by scripts/dsfr_icons.py from the DSFR's icons.main.min.css: do not edit. */\n"
    return header + "\n".join(icon_rules(names)) + "\n"


if __name__ == "__main__":
    names = icons_in_use()
    OUTPUT.write_text(stylesheet(names), encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(names)} icons, {OUTPUT.stat().st_size} bytes")
