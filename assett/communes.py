"""The official list of communes and of their EPCI and EPT, as shipped in assett/data/.

Derived by scripts/communes.py from `@etalab/decoupage-administratif` (INSEE's Code officiel
géographique, the DGCL's EPCI, La Poste's postal codes; Licence Ouverte); assett/data/communes.json
says which version and year. Read once per process, offline: registration does not depend on an API.
Used by organisations (the commune of an organisation, inside or outside the territory) and tenants
(a territory opened from its EPCI), hence its home here.
"""

import csv
import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).parent / "data"

# The DGCL abbreviates the kind in front of the name; a territory's name spells it out.
_KIND_PREFIXES = {
    "CC ": "Communauté de communes ",
    "CA ": "Communauté d'agglomération ",
    "CU ": "Communauté urbaine ",
}
POSTAL_CODE = re.compile(r"^\d{5}$")


class Commune(NamedTuple):
    insee: str
    name: str
    postal_codes: tuple
    epci: str  # the SIREN of its EPCI à fiscalité propre, "" for the few islands that have none


class Intercommunality(NamedTuple):
    """An EPCI à fiscalité propre or an EPT (Grand Paris), with its member communes' INSEE codes."""

    siren: str
    name: str
    kind: str  # tenants.enums.EpciKind's values
    communes: frozenset

    @property
    def full_name(self):
        """« Communauté de communes du Haut Poitou » rather than the DGCL's « CC du Haut Poitou »."""
        for prefix, words in _KIND_PREFIXES.items():
            if self.name.startswith(prefix):
                return words + self.name[len(prefix) :]
        return self.name


def folded(text):
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


class _Lists(NamedTuple):
    communes: dict  # INSEE code -> Commune
    by_postal_code: dict  # postal code -> [Commune], by name
    intercommunalities: dict  # SIREN -> Intercommunality


@lru_cache(maxsize=1)
def _lists():
    # Codes are interned: the same INSEE code, SIREN or postal code is one string in every index.
    with (DATA / "communes.csv").open(encoding="utf-8", newline="") as f:
        communes = {}
        for insee, name, postal_codes, epci in csv.reader(f):
            if insee != "insee":  # the header
                insee = sys.intern(insee)
                codes = tuple(sys.intern(code) for code in postal_codes.split())
                communes[insee] = Commune(insee, name, codes, sys.intern(epci))
    by_postal_code = {}
    for commune in communes.values():
        for code in commune.postal_codes:
            by_postal_code.setdefault(code, []).append(commune)
    for same_code in by_postal_code.values():
        same_code.sort(key=lambda commune: folded(commune.name))
    with (DATA / "intercommunalites.csv").open(encoding="utf-8", newline="") as f:
        intercommunalities = {
            row["siren"]: Intercommunality(
                sys.intern(row["siren"]), row["nom"], row["type"], frozenset(map(sys.intern, row["communes"].split()))
            )
            for row in csv.DictReader(f)
        }
    return _Lists(communes, by_postal_code, intercommunalities)


@lru_cache(maxsize=1)
def _by_name():
    """Every EPCI and EPT by name, each with the folded words its search compares."""
    groups = sorted(_lists().intercommunalities.values(), key=lambda group: folded(group.full_name))
    return [(group, folded(f"{group.full_name} {group.name}").replace("-", " ")) for group in groups]


@lru_cache(maxsize=1)
def source():
    """{"source", "year", "origin", "licence", …} of the shipped list."""
    return json.loads((DATA / "communes.json").read_text(encoding="utf-8"))


def commune(insee):
    return _lists().communes.get(insee)


def communes_for_postal_code(postal_code):
    """The communes a postal code serves, by name; [] for a code that is not one."""
    return list(_lists().by_postal_code.get((postal_code or "").strip(), []))


def commune_named(postal_code, name):
    """The commune of that postal code with that name (case and accents ignored), or None."""
    wanted = folded((name or "").strip())
    matches = [commune for commune in communes_for_postal_code(postal_code) if folded(commune.name) == wanted]
    return matches[0] if len(matches) == 1 else None


def intercommunality(siren):
    return _lists().intercommunalities.get((siren or "").strip())


def intercommunalities():
    """Every EPCI and EPT, by name."""
    return [group for group, _words in _by_name()]


def search_intercommunalities(query, limit=20):
    """EPCI and EPT whose full name holds every word of `query` (case and accents ignored), or whose SIREN it is."""
    words = folded(query).replace("-", " ").split()
    if not words:
        return []
    found = []
    for group, name in _by_name():
        if group.siren == query.strip() or all(word in name for word in words):
            found.append(group)
            if len(found) == limit:
                break
    return found


def territory_communes(siren):
    """The INSEE codes of the communes of the EPCI or EPT whose SIREN this is; None when it is not in the list
    (a territory without a SIREN, or one the list does not know): then no commune is outside it."""
    group = intercommunality(siren)
    return group.communes if group is not None else None


def is_outside(siren, insee):
    """Whether the commune is outside the territory of that SIREN (False when the territory is unknown)."""
    communes = territory_communes(siren)
    return communes is not None and insee not in communes
