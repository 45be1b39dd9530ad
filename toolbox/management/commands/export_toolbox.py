from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from referentiel.management import get_territory, write_binary
from toolbox.loader import dump_toolbox
from toolbox.management import toolbox_yaml
from toolbox.spreadsheet import workbook_bytes


class Command(BaseCommand):
    help = (
        "Exporte la boîte à outils d'un territoire (actions, étapes, questions liées, dispositifs, partenaires) "
        "en YAML ou en classeur Excel, sur la sortie standard ou dans un fichier ; import_toolbox la relit "
        "sans perte. Format : docs/toolbox-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True, metavar="SLUG", help="identifiant du territoire")
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=("yaml", "xlsx"),
            help="yaml (par défaut) ou xlsx ; déduit de l'extension de --output s'il est omis",
        )
        parser.add_argument("--output", metavar="FICHIER", help="fichier à écrire (sortie standard par défaut)")

    def handle(self, *args, territory, output_format, output, **options):
        territory = get_territory(territory)
        if output_format is None:
            output_format = "xlsx" if output and output.lower().endswith(".xlsx") else "yaml"
        with schema_context(territory.schema_name):
            data = dump_toolbox()
        payload = workbook_bytes(data) if output_format == "xlsx" else toolbox_yaml(data).encode()

        if output:
            try:
                Path(output).write_bytes(payload)
            except OSError as error:
                raise CommandError(f"Impossible d'écrire « {output} » : {error.strerror or error}.") from error
            count = len(data["actions"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Boîte à outils de « {territory.name} » ({count} action{'s' if count > 1 else ''}) "
                    f"exportée dans {output}."
                )
            )
        elif output_format == "yaml":
            self.stdout.write(payload.decode(), ending="")
        else:
            write_binary(self.stdout, payload)
