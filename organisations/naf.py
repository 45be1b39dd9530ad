"""NAF rév. 2 (INSEE, 2008) activity codes, at the sous-classe level.

The list ships as a CSV (organisations/data/naf_rev2.csv, INSEE, Licence
Ouverte) so that validation works offline and does not depend on an API.
"""

import csv
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

NAF_VERSION = "NAFRev2"

NAF_CSV_PATH = Path(__file__).parent / "data" / "naf_rev2.csv"

# Accepts the dotted form (62.01Z) and the compact one SIRENE sometimes returns (6201Z).
_NAF_RE = re.compile(r"^(\d{2})\.?(\d{2}[A-Z])$")


class NafEntry(NamedTuple):
    code: str
    label: str
    section: str
    section_label: str


@lru_cache(maxsize=1)
def load_naf() -> MappingProxyType:
    """Return the NAF list as a read-only mapping code -> NafEntry, in file order."""
    with NAF_CSV_PATH.open(encoding="utf-8", newline="") as f:
        entries = {row["code"]: NafEntry(**row) for row in csv.DictReader(f)}
    # Read-only because the cached object is shared by every caller.
    return MappingProxyType(entries)


def normalize_naf(code: str) -> str:
    """Return the canonical "62.01Z" form.

    Input that does not look like a code is only stripped of whitespace and
    upper-cased, so validation can report it as typed.
    """
    cleaned = re.sub(r"\s+", "", str(code or "")).upper()
    match = _NAF_RE.match(cleaned)
    if match is None:
        return cleaned
    return f"{match.group(1)}.{match.group(2)}"


def naf_entry(code: str) -> NafEntry | None:
    return load_naf().get(normalize_naf(code))


def naf_label(code: str) -> str | None:
    """Official French label (intitulé) of a code, or None if the code is unknown."""
    entry = naf_entry(code)
    return entry.label if entry else None


def naf_section(code: str) -> str | None:
    """Section letter (A to U) of a code, or None if the code is unknown."""
    entry = naf_entry(code)
    return entry.section if entry else None


def naf_choices() -> list[tuple[str, str]]:
    """(code, "code – label") pairs sorted by code, for form and model choices."""
    return [(code, f"{code} – {entry.label}") for code, entry in sorted(load_naf().items())]


def _load_sections() -> dict[str, str]:
    sections: dict[str, str] = {}
    for entry in load_naf().values():
        sections.setdefault(entry.section, entry.section_label)
    return dict(sorted(sections.items()))


SECTIONS: dict[str, str] = _load_sections()
