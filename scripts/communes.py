"""Write assett/data/communes.csv and assett/data/intercommunalites.csv from the official list.

    .venv/bin/python scripts/communes.py 6.0.0          # fetches the package with `npm pack`
    .venv/bin/python scripts/communes.py path/to/etalab-decoupage-administratif-6.0.0.tgz

The source is the npm package `@etalab/decoupage-administratif` (data.gouv.fr), built each year
from INSEE's Code officiel géographique, the DGCL's list of EPCI à fiscalité propre and INSEE's
list of EPT, with La Poste's postal codes (Licence Ouverte). Next year: run it with the new
version, run tests/test_communes.py, commit the three files.

Only what the platform uses is kept (the package is 12 MB): current communes with their INSEE
code, name, postal codes and EPCI's SIREN; EPCI and EPT with SIREN, name, kind and members.
"""

import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assett" / "data"
PACKAGE = "@etalab/decoupage-administratif"

# The package's kinds, as the platform names them (tenants.enums.EpciKind's values).
KINDS = {"METRO": "metropole", "MET69": "metropole", "CU": "cu", "CA": "ca", "CC": "cc", "EPT": "ept"}


def fetch(version, folder):
    """`npm pack` the version into folder; returns the tarball's path."""
    result = subprocess.run(  # noqa: S603 (fixed command, version from the person running it)
        ["npm", "pack", f"{PACKAGE}@{version}", "--silent"],  # noqa: S607
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(folder) / result.stdout.strip().splitlines()[-1]


def read_package(tarball):
    """The package's version, year (from its README's table) and the three JSON lists."""
    with tarfile.open(tarball) as archive:

        def load(name):
            return archive.extractfile(f"package/{name}").read().decode("utf-8")

        version = json.loads(load("package.json"))["version"]
        # « | 2026  | 6.0.0 | … »: the README maps each version to its year (millésime).
        match = re.search(rf"^\|\s*(\d{{4}})\s*\|\s*{re.escape(version)}\s*\|", load("README.md"), re.MULTILINE)
        if match is None:
            raise SystemExit(f"The README of {PACKAGE} {version} does not give its year.")
        return {
            "version": version,
            "year": int(match.group(1)),
            "communes": json.loads(load("data/communes.json")),
            "epci": json.loads(load("data/epci.json")),
            "ept": json.loads(load("data/ept.json")),
        }


def derive(package):
    """(communes rows, intercommunalités rows, metadata) as the platform stores them."""
    epci_of = {}
    intercommunalities = []
    for group in sorted(package["epci"] + package["ept"], key=lambda row: row["code"]):
        members = sorted(member["code"] for member in group["membres"])
        if group["type"] != "EPT":  # a commune is in one EPCI; an EPT lies inside the Métropole du Grand Paris
            epci_of.update(dict.fromkeys(members, group["code"]))
        intercommunalities.append(
            {"siren": group["code"], "nom": group["nom"], "type": KINDS[group["type"]], "communes": " ".join(members)}
        )
    communes = [
        {
            "insee": commune["code"],
            "nom": commune["nom"],
            "codes_postaux": " ".join(sorted(set(commune.get("codesPostaux", [])))),
            "epci": epci_of.get(commune["code"], ""),
        }
        for commune in sorted(package["communes"], key=lambda row: row["code"])
        if commune["type"] == "commune-actuelle"
    ]
    metadata = {
        "source": f"{PACKAGE} {package['version']}",
        "year": package["year"],
        "origin": "INSEE (Code officiel géographique), DGCL (EPCI à fiscalité propre), INSEE (EPT), La Poste",
        "licence": "Licence Ouverte",
        "communes": len(communes),
        "intercommunalites": len(intercommunalities),
    }
    return communes, intercommunalities, metadata


def write_csv(path, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write(package, folder=DATA):
    communes, intercommunalities, metadata = derive(package)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "communes.csv", communes)
    write_csv(folder / "intercommunalites.csv", intercommunalities)
    (folder / "communes.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return metadata


def main(argument):
    if argument.endswith((".tgz", ".tar.gz")):
        metadata = write(read_package(argument))
    else:
        with tempfile.TemporaryDirectory() as folder:
            metadata = write(read_package(fetch(argument, folder)))
    print(f"{metadata['communes']} communes, {metadata['intercommunalites']} EPCI et EPT ({metadata['year']}).")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
