"""Uploaded images, checked by their content: any app that accepts a picture uses ImageUploadField."""

import math
import warnings
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image

MAX_IMAGE_BYTES = 2 * 2**20
# A small file can hold a huge image (a "decompression bomb"): 16 million pixels is far more
# than a logo needs, and what a browser then decodes stays under 64 MB.
MAX_IMAGE_PIXELS = 16_000_000
# Pillow format → the extension the file is stored under, whatever name it was sent with.
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
ACCEPT = "image/png,image/jpeg,image/webp"


def checked_image_extension(file):
    """The stored extension of an uploaded PNG, JPEG or WebP image; ValidationError (French) otherwise.

    The size is checked before Pillow reads anything. Pillow then only tries the three accepted
    formats, reads the header (for the dimensions) and verify()s the file (PNG chunk checksums),
    without decoding its pixels: a small file announcing a huge image is refused undecoded.
    """
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("Le fichier pèse %(size)s Mo : il doit peser %(max)s Mo au plus."),
            code="file_too_big",
            # Rounded up: 2 MB and one byte reads 2,1, not 2,0.
            params={"size": number_format(math.ceil(file.size * 10 / 2**20) / 10, 1), "max": MAX_IMAGE_BYTES // 2**20},
        )
    file.seek(0)
    if _looks_like_svg(file.read(1024)):
        raise ValidationError(
            _(
                "Les images SVG ne sont pas acceptées (elles peuvent contenir des scripts) : "
                "envoyez un PNG, un JPEG ou un WebP."
            ),
            code="svg",
        )
    try:
        file.seek(0)
        image_format, width, height = _verified_header(file)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except Exception as error:  # Pillow raises many kinds on a damaged or foreign file
        raise ValidationError(
            _("Ce fichier n'est pas une image PNG, JPEG ou WebP valide."), code="invalid_image"
        ) from error
    finally:
        file.seek(0)
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    return IMAGE_FORMATS[image_format]


def _verified_header(file):
    with warnings.catch_warnings():
        # Pillow only warns below twice its own limit; ours, lower, is checked by the caller.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(file, formats=list(IMAGE_FORMATS))
        image.verify()  # right after open, as Pillow requires; it does not decode the pixels
    return image.format, image.width, image.height


def _looks_like_svg(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and (b"<svg" in text or text.startswith(b"<?xml"))


def _too_many_pixels():
    return ValidationError(
        _("L'image est trop grande : elle doit compter %(max)s millions de pixels au plus (4 000 × 4 000)."),
        code="too_many_pixels",
        params={"max": MAX_IMAGE_PIXELS // 1_000_000},
    )


class ImageUploadInput(forms.ClearableFileInput):
    """The DSFR's file upload (« fr-upload »), with the current image shown and a DSFR checkbox to remove it.

    Django's own template says « Actuellement: … Effacer … Modification: » in plain markup.
    """

    template_name = "django/forms/widgets/image_upload.html"  # templates/forms/ (assett.forms.FormRenderer)
    initial_text = _("Image actuelle")
    clear_checkbox_label = _("Retirer l'image actuelle")

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, "class": "fr-upload", **(attrs or {})})


class ImageUploadField(forms.FileField):
    """A PNG, JPEG or WebP image of 2 MB at most, stored under the extension of its real format.

    A FileField, not Django's ImageField: that one opens any format Pillow knows, before any
    size check.
    """

    widget = ImageUploadInput

    def __init__(self, **kwargs):
        # The DSFR's wording for an upload's limits.
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _("Taille maximale : {max} Mo. Formats acceptés : PNG, JPEG, WebP (pas de SVG)."),
                max=MAX_IMAGE_BYTES // 2**20,
            ),
        )
        super().__init__(**kwargs)
        self.widget.group_class = "fr-upload-group"  # the DSFR's file upload markup (django-dsfr's snippet)

    def to_python(self, data):
        file = super().to_python(data)
        if file is None:
            return None
        extension = checked_image_extension(file)
        file.name = PurePath(file.name).stem[:80] + extension
        return file
