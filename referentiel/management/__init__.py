"""Helpers shared by the referential commands (export_referential, import_referential)."""

import yaml
from django.conf import settings
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from tenants.models import Territory


def get_territory(slug):
    """The territory (tenant) of this slug; the public schema is the national site, not a territory."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        territories = Territory.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        territory = territories.filter(slug=slug).first()
        if territory is None:
            known = ", ".join(territories.order_by("slug").values_list("slug", flat=True)) or "aucun"
            raise CommandError(f"Territoire « {slug} » inconnu. Territoires existants : {known}.")
    return territory


class _ReferentialDumper(yaml.SafeDumper):
    """Block style, UTF-8 as is, multi-line texts as literal blocks: a file people can edit and review."""


def _represent_text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReferentialDumper.add_representer(str, _represent_text)


def referential_yaml(data):
    """The YAML text of plain referential data (dump_referential), which read_yaml reads back identically."""
    return yaml.dump(
        data, Dumper=_ReferentialDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def write_binary(stdout, payload):
    """Bytes (an .xlsx) to a command's standard output: the underlying binary stream, never the text wrapper."""
    buffer = getattr(stdout, "buffer", None)
    if buffer is None:
        raise CommandError("Un classeur xlsx ne s'écrit pas sur cette sortie texte : précisez --output FICHIER.")
    if stdout.isatty():
        raise CommandError(
            "Un classeur xlsx ne s'affiche pas dans un terminal : redirigez la sortie ou utilisez --output."
        )
    stdout.flush()
    buffer.write(payload)
    buffer.flush()
