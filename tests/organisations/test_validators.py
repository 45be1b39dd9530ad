"""Tests for SIREN/SIRET validators and the shipped NAF rév. 2 list.

Errors are compared by `code`, not by message, so the tests need no Django settings.
"""

import csv
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from organisations import naf
from organisations.naf import (
    NAF_VERSION,
    SECTIONS,
    load_naf,
    naf_choices,
    naf_label,
    naf_section,
    normalize_naf,
)
from organisations.validators import (
    luhn_is_valid,
    normalize_identifier,
    validate_naf_code,
    validate_siren,
    validate_siret,
)

NAF_CSV = Path(naf.__file__).parent / "data" / "naf_rev2.csv"

# Luhn keys of these were also checked by hand, e.g. 732829320: from the right,
# 0 + (2*2) + 3 + (9*2-9) + 2 + (8*2-9) + 2 + (3*2) + 7 = 40.
VALID_SIRENS = ["732829320", "552100554", "130005481", "542107651", "356000000"]


def raises_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# --- Luhn -----------------------------------------------------------------


@pytest.mark.parametrize("digits", ["0", "18", "79927398713", "732829320", "73282932000074"])
def test_luhn_accepts_valid_numbers(digits):
    assert luhn_is_valid(digits) is True


@pytest.mark.parametrize("digits", ["", "1", "79927398710", "732829321", "7328 29320", "73282932O"])
def test_luhn_rejects_invalid_numbers(digits):
    assert luhn_is_valid(digits) is False


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_luhn_exactly_one_check_digit_completes_any_body(body):
    assert sum(luhn_is_valid(body + str(key)) for key in range(10)) == 1


# --- normalize_identifier -------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("732 829 320", "732829320"),
        ("732.829.320", "732829320"),
        ("732-829-320", "732829320"),
        ("732\u00a0829\u00a0320", "732829320"),
        ("732\u202f829\u202f320 00074", "73282932000074"),
        (" 732829320\t", "732829320"),
        (732829320, "732829320"),
        (None, ""),
    ],
)
def test_normalize_identifier(raw, expected):
    assert normalize_identifier(raw) == expected


# --- SIREN ----------------------------------------------------------------


@pytest.mark.parametrize("siren", VALID_SIRENS)
def test_valid_siren(siren):
    validate_siren(siren)


@pytest.mark.parametrize("siren", ["732 829 320", "732.829.320", "732\u00a0829\u00a0320"])
def test_formatted_siren_is_accepted(siren):
    validate_siren(siren)


@pytest.mark.parametrize(
    "siren, code",
    [
        ("732829321", "invalid_checksum"),
        ("123456789", "invalid_checksum"),
        ("552100555", "invalid_checksum"),
        ("73282932", "invalid_format"),
        ("7328293200", "invalid_format"),
        ("", "invalid_format"),
        ("73282932A", "invalid_format"),
        ("ABCDEFGHI", "invalid_format"),
        ("٧٣٢٨٢٩٣٢٠", "invalid_format"),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_invalid_siren(siren, code):
    assert raises_code(validate_siren, siren) == code


# --- SIRET ----------------------------------------------------------------


def test_la_poste_fixtures_exercise_the_intended_branches():
    # Head office: Luhn-valid, digit sum 26 is not a multiple of 5.
    assert luhn_is_valid("35600000000048")
    assert sum(map(int, "35600000000048")) % 5 != 0
    # Establishment: digit sum 45 is a multiple of 5, Luhn fails.
    assert not luhn_is_valid("35600000049837")
    assert sum(map(int, "35600000049837")) % 5 == 0
    # Luhn-valid but sum 19: Luhn must not rescue a La Poste establishment.
    assert luhn_is_valid("35600000000014")
    assert sum(map(int, "35600000000014")) % 5 != 0


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",
        "55210055400013",
        "13000548100010",
        "732 829 320 00074",
        "35600000000048",  # La Poste head office, Luhn
        "35600000049837",  # La Poste establishment, multiple-of-5 rule only
    ],
)
def test_valid_siret(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    "siret, code",
    [
        ("73282932000075", "invalid_checksum"),
        ("73282932000047", "invalid_checksum"),
        ("35600000049838", "invalid_checksum"),
        ("35600000000014", "invalid_checksum"),
        ("73282932100007", "invalid_siren"),  # 14-digit Luhn passes, SIREN key does not
        ("7328293200007", "invalid_format"),
        ("732829320000740", "invalid_format"),
        ("7328293200007A", "invalid_format"),
        ("732829320", "invalid_format"),
        ("", "invalid_format"),
    ],
)
def test_invalid_siret(siret, code):
    assert raises_code(validate_siret, siret) == code


# --- NAF: normalisation and lookups ---------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("62.01Z", "62.01Z"),
        ("6201Z", "62.01Z"),
        ("62.01z", "62.01Z"),
        ("6201z", "62.01Z"),
        (" 62.01Z ", "62.01Z"),
        ("62 .01Z", "62.01Z"),
        ("01.11Z", "01.11Z"),
        ("abc", "ABC"),
    ],
)
def test_normalize_naf(raw, expected):
    assert normalize_naf(raw) == expected


@pytest.mark.parametrize("code", ["62.01Z", "6201Z", "62.01z", " 62.01Z ", "01.11Z", "99.00Z", "43.22B"])
def test_valid_naf_code(code):
    validate_naf_code(code)


@pytest.mark.parametrize("code", ["99.99Z", "00.00A", "62.01A", "62.01", "6201", "", "NAF"])
def test_invalid_naf_code(code):
    assert raises_code(validate_naf_code, code) == "unknown_naf_code"


def test_invalid_naf_error_carries_the_normalised_code():
    with pytest.raises(ValidationError) as excinfo:
        validate_naf_code("9999z")
    assert excinfo.value.params == {"code": "99.99Z"}


def test_naf_version():
    assert NAF_VERSION == "NAFRev2"


@pytest.mark.parametrize(
    "code, label, section",
    [
        ("62.01Z", "Programmation informatique", "J"),
        ("6201Z", "Programmation informatique", "J"),
        (
            "01.11Z",
            "Culture de céréales (à l'exception du riz), de légumineuses et de graines oléagineuses",
            "A",
        ),
        ("35.11Z", "Production d'électricité", "D"),
        ("43.99C", "Travaux de maçonnerie générale et gros œuvre de bâtiment", "F"),
        ("99.00Z", "Activités des organisations et organismes extraterritoriaux", "U"),
    ],
)
def test_naf_label_and_section(code, label, section):
    assert naf_label(code) == label
    assert naf_section(code) == section


def test_unknown_code_has_no_label_or_section():
    assert naf_label("99.99Z") is None
    assert naf_section("99.99Z") is None


def test_naf_choices():
    choices = naf_choices()
    assert len(choices) == 732
    assert [code for code, _ in choices] == sorted(code for code, _ in choices)
    assert choices[0] == (
        "01.11Z",
        "01.11Z – Culture de céréales (à l'exception du riz), de légumineuses et de graines oléagineuses",
    )
    assert ("62.01Z", "62.01Z – Programmation informatique") in choices


def test_sections():
    assert list(SECTIONS) == list("ABCDEFGHIJKLMNOPQRSTU")
    assert SECTIONS["J"] == "Information et communication"
    assert SECTIONS["U"] == "Activités extra-territoriales"


def test_loaded_mapping_is_read_only():
    with pytest.raises(TypeError):
        load_naf()["00.00Z"] = None


# --- CSV integrity (read independently of the loader) ---------------------


@pytest.fixture(scope="module")
def csv_rows():
    with NAF_CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["code", "label", "section", "section_label"]
        return list(reader)


def test_csv_has_732_unique_well_formed_codes(csv_rows):
    codes = [row["code"] for row in csv_rows]
    assert len(codes) == 732
    assert len(set(codes)) == 732
    assert all(re.fullmatch(r"\d{2}\.\d{2}[A-Z]", code) for code in codes)


def test_csv_has_all_21_sections_with_one_label_each(csv_rows):
    labels_by_section = {}
    for row in csv_rows:
        labels_by_section.setdefault(row["section"], set()).add(row["section_label"])
    assert sorted(labels_by_section) == list("ABCDEFGHIJKLMNOPQRSTU")
    assert all(len(labels) == 1 for labels in labels_by_section.values())


def test_csv_labels_are_clean(csv_rows):
    for row in csv_rows:
        assert row["label"], row
        assert row["label"] == row["label"].strip(), row


# Division ranges of NAF rév. 2 sections (décret n° 2007-1888).
SECTION_DIVISIONS = {
    "A": range(1, 4),
    "B": range(5, 10),
    "C": range(10, 34),
    "D": range(35, 36),
    "E": range(36, 40),
    "F": range(41, 44),
    "G": range(45, 48),
    "H": range(49, 54),
    "I": range(55, 57),
    "J": range(58, 64),
    "K": range(64, 67),
    "L": range(68, 69),
    "M": range(69, 76),
    "N": range(77, 83),
    "O": range(84, 85),
    "P": range(85, 86),
    "Q": range(86, 89),
    "R": range(90, 94),
    "S": range(94, 97),
    "T": range(97, 99),
    "U": range(99, 100),
}


def test_csv_sections_match_divisions(csv_rows):
    for row in csv_rows:
        assert int(row["code"][:2]) in SECTION_DIVISIONS[row["section"]], row
