"""Colour rules for a territory's accent colour (RGAA 3.2: 4.5:1 for normal text)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import MIN_CONTRAST_WITH_WHITE

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(hex_color):
    def channel(value):
        c = int(value, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(color_a, color_b):
    lighter, darker = sorted((relative_luminance(color_a), relative_luminance(color_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_color(value):
    if not HEX_COLOR.match(value or ""):
        raise ValidationError(
            _("La couleur doit être au format hexadécimal #RRVVBB (par exemple #000091)."), code="color_format"
        )
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_CONTRAST_WITH_WHITE:
        raise ValidationError(
            _(
                "La couleur %(color)s est trop claire : son contraste avec un texte blanc est de %(ratio).2f:1, "
                "il doit être d'au moins 4,5:1 (RGAA)."
            ),
            code="color_contrast",
            params={"color": value, "ratio": ratio},
        )
