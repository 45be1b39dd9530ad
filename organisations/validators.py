"""Validators for French business identifiers (SIREN, SIRET) and NAF codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisations.naf import load_naf, normalize_naf

# La Poste registers all its establishments under one SIREN; their NICs do not
# follow Luhn, INSEE checks them with a "sum of digits divisible by 5" rule.
LA_POSTE_SIREN = "356000000"
# The head office predates that rule and is Luhn-valid (and its digit sum is not a multiple of 5).
LA_POSTE_HEAD_OFFICE_SIRET = "35600000000048"

# People paste identifiers as printed: "732 829 320", "732.829.320", with NBSP (\u00a0, \u202f).
_SEPARATORS_RE = re.compile(r"[\s.\-\u00a0\u202f]")


def luhn_is_valid(digits: str) -> bool:
    """Luhn check, as used by INSEE for SIREN and SIRET keys."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def normalize_identifier(value) -> str:
    """Drop the spaces, dots and dashes people type inside SIREN/SIRET numbers."""
    if value is None:
        return ""
    return _SEPARATORS_RE.sub("", str(value))


def _has_length(value: str, length: int) -> bool:
    # isascii() rules out Unicode digits such as "٣" that isdigit() accepts.
    return len(value) == length and value.isascii() and value.isdigit()


def validate_siren(value) -> None:
    siren = normalize_identifier(value)
    if not _has_length(siren, 9):
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="invalid_format")
    if not luhn_is_valid(siren):
        raise ValidationError(
            _("Ce numéro SIREN n'est pas valide (clé de contrôle incorrecte)."),
            code="invalid_checksum",
        )


def _siret_key_is_valid(siret: str) -> bool:
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE_SIRET:
        return sum(int(char) for char in siret) % 5 == 0
    return luhn_is_valid(siret)


def validate_siret(value) -> None:
    siret = normalize_identifier(value)
    if not _has_length(siret, 14):
        raise ValidationError(_("Le SIRET doit comporter 14 chiffres."), code="invalid_format")
    if not _siret_key_is_valid(siret):
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte)."),
            code="invalid_checksum",
        )
    # The 14-digit key does not cover the SIREN key (the doubling parity shifts), so check both.
    if not luhn_is_valid(siret[:9]):
        raise ValidationError(
            _("Les 9 premiers chiffres de ce SIRET ne forment pas un SIREN valide."),
            code="invalid_siren",
        )


def validate_naf_code(value) -> None:
    code = normalize_naf(value)
    if code not in load_naf():
        raise ValidationError(
            _("Le code NAF « %(code)s » n'existe pas dans la nomenclature NAF rév. 2."),
            code="unknown_naf_code",
            params={"code": code},
        )
