"""A territory's logo: uploaded by its admin, checked by content, shown in the header, served on its host only."""

import io
import os
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from accounts.enums import Role
from accounts.models import User
from tenants.forms import OnboardingForm
from tenants.models import Territory

from .test_backoffice import FORM as ONBOARDING_FORM

SETTINGS_URL = "/gestion/territoire/"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_a(in_a, client_a):
    admin = User.objects.create_user("admin-logo@a.example", "Mot-de-passe-42", role=Role.ADMIN)
    client_a.force_login(admin)  # in A's schema, where the account is
    connection.set_schema_to_public()
    return client_a


# ---- real files, made here ----


def image_bytes(image_format="PNG", size=(160, 80), color=(0, 0, 145)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def noisy_png(min_bytes):
    """A valid PNG of at least min_bytes: random pixels do not compress."""
    side = int((min_bytes / 3) ** 0.5) + 16
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) > min_bytes
    return data


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def decompression_bomb_png(side=20_000):
    """A valid black-and-white PNG of side × side pixels (400 million for 20,000) in some 50 kB."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (side + 7) // 8)  # filter byte + 1 bit per pixel
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


SVG_WITH_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><script>alert(document.cookie)</script>
<rect width="100" height="40" fill="#000091"/></svg>"""


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def settings_form(**changes):
    territory = Territory.objects.get(slug="territoire-a")
    data = {
        "programme_name": territory.programme_name,
        "presentation": territory.presentation,
        "accent_color": territory.accent_color,
        "contact_email": territory.contact_email,
        "time_zone": territory.time_zone,
    }
    for number, block in enumerate(territory.offer_blocks, start=1):
        data.update({f"offer_{number}_title": block["title"], f"offer_{number}_text": block["text"]})
    return {**data, **changes}


class _HeaderLogo(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and "assett-operator-logo" in (attrs.get("class") or ""):
            self.sources.append(attrs["src"])


def header_logo_src(client):
    parser = _HeaderLogo()
    parser.feed(client.get("/").content.decode())
    assert len(parser.sources) <= 1
    return parser.sources[0] if parser.sources else None


def served_bytes(response):
    return b"".join(response.streaming_content)


def stored_files(media_root, territory):
    folder = Path(media_root) / territory.schema_name / "branding"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---- the logo the page shows is served, on its own host only ----


def test_uploaded_logo_is_served_at_the_url_the_header_shows(admin_a, client_b, media_root):
    png = image_bytes()

    response = admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", png)))

    assert response.status_code == 302
    src = header_logo_src(admin_a)
    assert src is not None
    served = admin_a.get(src)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served_bytes(served) == png


def test_logo_url_of_a_is_a_404_on_b_host(admin_a, client_b, territory_a, territory_b, media_root):
    admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", image_bytes())))
    src = header_logo_src(admin_a)
    name = Territory.objects.get(pk=territory_a.pk).logo.name

    assert client_b.get(src).status_code == 404
    assert client_b.get(f"/media/{territory_a.schema_name}/{name}").status_code == 404  # the storage path
    assert client_b.get(f"/media/../{territory_a.schema_name}/{name}").status_code == 404
    assert client_b.get(f"/media/%2e%2e/{territory_a.schema_name}/{name}").status_code == 404


def test_logo_url_names_no_schema_and_b_serves_only_its_own_file_under_it(
    admin_a, client_b, territory_a, territory_b, media_root
):
    admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", image_bytes())))
    src = header_logo_src(admin_a)
    assert territory_a.schema_name not in src
    # B holding a file of the same name gets its own bytes, never A's.
    own = Path(media_root) / territory_b.schema_name / src.removeprefix("/media/")
    own.parent.mkdir(parents=True)
    own.write_bytes(b"fichier de B")

    assert served_bytes(client_b.get(src)) == b"fichier de B"
    assert served_bytes(admin_a.get(src)) != b"fichier de B"


# ---- checked by content ----


@pytest.mark.parametrize(
    ("name", "content", "stored_as"),
    [
        ("logo.png", image_bytes("PNG"), ".png"),
        ("logo.jpeg", image_bytes("JPEG"), ".jpg"),
        ("logo.webp", image_bytes("WEBP"), ".webp"),
        ("logo.jpg", image_bytes("PNG"), ".png"),  # the name lies; the content decides
        ("logo", image_bytes("WEBP"), ".webp"),
    ],
)
def test_png_jpeg_and_webp_are_accepted_and_stored_under_their_real_format(
    admin_a, territory_a, media_root, name, content, stored_as
):
    response = admin_a.post(SETTINGS_URL, settings_form(logo=upload(name, content)))

    assert response.status_code == 302
    stored = Territory.objects.get(pk=territory_a.pk).logo.name
    assert stored.startswith("branding/logo-")
    assert stored.endswith(stored_as)
    assert served_bytes(admin_a.get(header_logo_src(admin_a))) == content


REFUSED = [
    pytest.param("logo.svg", SVG_WITH_SCRIPT, "Les images SVG ne sont pas acceptées", id="svg-with-script"),
    pytest.param("logo.png", SVG_WITH_SCRIPT, "Les images SVG ne sont pas acceptées", id="svg-named-png"),
    pytest.param("logo.png", b"Ceci n'est pas une image.\n", "pas une image PNG, JPEG ou WebP valide", id="text"),
    pytest.param("logo.gif", image_bytes("GIF"), "pas une image PNG, JPEG ou WebP valide", id="gif"),
    pytest.param("logo.bmp", image_bytes("BMP"), "pas une image PNG, JPEG ou WebP valide", id="bmp"),
    pytest.param("logo.png", image_bytes("PNG")[:-30], "pas une image PNG, JPEG ou WebP valide", id="truncated"),
    pytest.param("logo.png", noisy_png(2 * 2**20 + 1), "il doit peser 2 Mo au plus", id="valid-png-over-2mb"),
    pytest.param("logo.png", decompression_bomb_png(), "16 millions de pixels au plus", id="decompression-bomb"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_refused_upload_says_why_in_french_and_keeps_the_previous_logo(
    admin_a, territory_a, media_root, name, content, message
):
    previous = image_bytes(color=(10, 100, 10))
    admin_a.post(SETTINGS_URL, settings_form(logo=upload("ancien.png", previous)))
    before = Territory.objects.get(pk=territory_a.pk)

    response = admin_a.post(SETTINGS_URL, settings_form(programme_name="Nouveau nom", logo=upload(name, content)))

    assert response.status_code == 200
    assert message in response.content.decode()
    after = Territory.objects.get(pk=territory_a.pk)
    assert after.logo.name == before.logo.name
    assert after.programme_name == before.programme_name  # bad input changes nothing
    assert stored_files(media_root, territory_a) == [Path(before.logo.name).name]
    assert served_bytes(admin_a.get(header_logo_src(admin_a))) == previous


def test_a_file_over_2_mb_is_refused_for_its_size_before_being_read_as_an_image(db):
    # Were Pillow to look first, it would say "not an image"; the size alone decides.
    form = OnboardingForm(ONBOARDING_FORM, {"logo": upload("logo.png", b"x" * (3 * 2**20))})

    assert not form.is_valid()
    assert form.errors["logo"] == ["Le fichier pèse 3,0 Mo : il doit peser 2 Mo au plus."]


# ---- replaced and removed logos leave no file behind ----


def test_replaced_logo_file_is_deleted(admin_a, territory_a, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(logo=upload("premier.png", image_bytes(color=(1, 1, 1)))))
    first = Territory.objects.get(pk=territory_a.pk).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(logo=upload("second.png", image_bytes(color=(2, 2, 2)))))

    second = Territory.objects.get(pk=territory_a.pk).logo.name
    assert second != first
    assert stored_files(media_root, territory_a) == [Path(second).name]
    assert admin_a.get(f"/media/{first}").status_code == 404


def test_removed_logo_file_is_deleted(admin_a, territory_a, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", image_bytes())))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_a.post(SETTINGS_URL, settings_form(**{"logo-clear": "on"}))

    assert response.status_code == 302
    assert not Territory.objects.get(pk=territory_a.pk).logo
    assert stored_files(media_root, territory_a) == []
    assert header_logo_src(admin_a) is None


def test_other_settings_saved_alone_keep_the_logo(admin_a, territory_a, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", image_bytes())))
    name = Territory.objects.get(pk=territory_a.pk).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(programme_name="Acteurs du Clain"))

    assert Territory.objects.get(pk=territory_a.pk).logo.name == name
    assert stored_files(media_root, territory_a) == [Path(name).name]


# ---- the national onboarding form: same rules ----


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_onboarding_form_refuses_the_same_logos(db, name, content, message):
    form = OnboardingForm(ONBOARDING_FORM, {"logo": upload(name, content)})

    assert not form.is_valid()
    assert message in form.errors["logo"][0]


def test_onboarding_form_names_an_accepted_logo_by_its_real_format(db):
    form = OnboardingForm(ONBOARDING_FORM, {"logo": upload("logo.jpg", image_bytes("PNG"))})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["logo"].name == "logo.png"


def test_onboarding_with_a_refused_logo_creates_nothing(public_client, db, territories):
    national = User.objects.create_user("national-logo@cerema.example", "pass-national-1", is_staff=True)
    public_client.force_login(national)

    response = public_client.post(
        "/plateforme/territoires/nouveau/", {**ONBOARDING_FORM, "logo": upload("logo.svg", SVG_WITH_SCRIPT)}
    )

    assert response.status_code == 200
    assert "Les images SVG ne sont pas acceptées" in response.content.decode()
    assert not Territory.objects.filter(slug=ONBOARDING_FORM["slug"]).exists()


def test_the_logo_field_is_the_dsfr_upload_with_its_formats_and_the_current_logo(
    admin_a, territory_a, media_root, django_capture_on_commit_callbacks
):
    empty = admin_a.get(SETTINGS_URL).content.decode()
    assert "Taille maximale : 2 Mo. Formats acceptés : PNG, JPEG, WebP (pas de SVG)." in empty
    assert 'class="fr-upload-group"' in empty and 'class="fr-upload"' in empty
    assert "Image actuelle" not in empty

    with django_capture_on_commit_callbacks(execute=True):
        admin_a.post(SETTINGS_URL, settings_form(logo=upload("logo.png", image_bytes())))
    page = admin_a.get(SETTINGS_URL).content.decode()

    logo_url = Territory.objects.get(pk=territory_a.pk).logo.url
    assert f'Image actuelle : <a href="{logo_url}">' in page
    assert f'<img src="{logo_url}" alt="" height="48"' in page
    assert '<div class="fr-checkbox-group">\n    <input type="checkbox" name="logo-clear"' in page
    assert "Retirer l&#x27;image actuelle" in page
    assert "Actuellement" not in page and "Modification" not in page  # Django's own template, gone
