"""The shipped list of communes and intercommunalités (assett/communes.py) and the script that derives it."""

import importlib.util
import io
import json
import tarfile

import pytest

from assett import communes

ROOT = communes.DATA.parent.parent
_spec = importlib.util.spec_from_file_location("communes_script", ROOT / "scripts" / "communes.py")
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)


def test_the_shipped_list_is_the_2026_one_with_every_current_commune():
    source = communes.source()
    assert (source["source"], source["year"]) == ("@etalab/decoupage-administratif 6.0.0", 2026)
    assert source["communes"] == 34969  # the package's 37,590 less communes déléguées, associées, arrondissements
    assert source["intercommunalites"] == 1255 + 11
    assert len(communes.intercommunalities()) == 1266


def test_the_lauréate_territories_are_in_the_list_with_their_communes():
    poitiers = communes.intercommunality("200069854")
    assert (poitiers.full_name, poitiers.kind, len(poitiers.communes)) == (
        "Communauté urbaine du Grand Poitiers",
        "cu",
        40,
    )
    centre_ouest = communes.intercommunality("200059871")
    assert centre_ouest.full_name == "Communauté de communes du Centre-Ouest"
    assert {communes.commune(code).postal_codes[0][:3] for code in centre_ouest.communes} == {"976"}  # Mayotte
    orly = communes.intercommunality("200058014")
    assert (orly.name, orly.kind) == ("Grand-Orly Seine Bièvre", "ept")
    assert "94054" in orly.communes  # Orly


def test_a_postal_code_gives_its_communes_by_name():
    assert [c.name for c in communes.communes_for_postal_code("86000")] == ["Poitiers"]
    names = [c.name for c in communes.communes_for_postal_code("86190")]
    assert len(names) > 5 and names == sorted(names, key=communes.folded)
    assert communes.communes_for_postal_code("00000") == []
    assert communes.communes_for_postal_code("") == []
    paris = communes.communes_for_postal_code("75015")
    assert [(c.insee, c.name) for c in paris] == [("75056", "Paris")]


def test_a_commune_is_outside_a_territory_only_when_the_territory_is_known():
    assert communes.is_outside("200069854", "75056")  # Paris is not in Grand Poitiers
    assert not communes.is_outside("200069854", "86194")  # Poitiers is
    assert not communes.is_outside("", "75056")  # no SIREN: nothing to compare with
    assert not communes.is_outside("123456789", "75056")


def test_intercommunalities_are_found_by_words_of_their_name_or_by_siren():
    assert [g.siren for g in communes.search_intercommunalities("haut poitou")] == ["200069763"]
    assert "200059871" in [g.siren for g in communes.search_intercommunalities("centre-ouest")]
    assert [g.siren for g in communes.search_intercommunalities("besancon")] == ["242500361"]
    assert [g.siren for g in communes.search_intercommunalities(" 243100518 ")] == ["243100518"]
    assert communes.search_intercommunalities("  ") == []


def _tarball(tmp_path, version="9.9.9", readme="| 2031  | 9.9.9 | `npm install`… |\n"):
    files = {
        "package/package.json": json.dumps({"version": version}),
        "package/README.md": readme,
        "package/data/communes.json": json.dumps(
            [
                {"code": "86194", "nom": "Poitiers", "type": "commune-actuelle", "codesPostaux": ["86000"]},
                {"code": "86015", "nom": "Déléguée", "type": "commune-deleguee"},
                {"code": "97605", "nom": "Chiconi", "type": "commune-actuelle", "codesPostaux": ["97670", "97670"]},
                {"code": "75056", "nom": "Paris", "type": "commune-actuelle", "codesPostaux": ["75002", "75001"]},
                {"code": "75101", "nom": "Paris 1er", "type": "arrondissement-municipal", "codesPostaux": ["75001"]},
            ]
        ),
        "package/data/epci.json": json.dumps(
            [
                {"code": "200069854", "nom": "CU du Grand Poitiers", "type": "CU", "membres": [{"code": "86194"}]},
                {
                    "code": "200054781",
                    "nom": "Métropole du Grand Paris",
                    "type": "METRO",
                    "membres": [{"code": "75056"}],
                },
            ]
        ),
        "package/data/ept.json": json.dumps(
            [{"code": "200058014", "nom": "Grand-Orly Seine Bièvre", "type": "EPT", "membres": [{"code": "75056"}]}]
        ),
    }
    path = tmp_path / "package.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_the_script_keeps_current_communes_and_their_epci_not_their_ept(tmp_path):
    metadata = script.write(script.read_package(_tarball(tmp_path)), folder=tmp_path / "out")
    assert (metadata["source"], metadata["year"], metadata["communes"]) == (
        "@etalab/decoupage-administratif 9.9.9",
        2031,
        3,
    )
    assert (tmp_path / "out" / "communes.csv").read_text(encoding="utf-8") == (
        "insee,nom,codes_postaux,epci\n"
        "75056,Paris,75001 75002,200054781\n"
        "86194,Poitiers,86000,200069854\n"
        "97605,Chiconi,97670,\n"
    )
    assert (tmp_path / "out" / "intercommunalites.csv").read_text(encoding="utf-8") == (
        "siren,nom,type,communes\n"
        "200054781,Métropole du Grand Paris,metropole,75056\n"
        "200058014,Grand-Orly Seine Bièvre,ept,75056\n"
        "200069854,CU du Grand Poitiers,cu,86194\n"
    )


def test_the_script_refuses_a_package_whose_year_it_cannot_tell(tmp_path):
    with pytest.raises(SystemExit):
        script.read_package(_tarball(tmp_path, readme="no table here"))
