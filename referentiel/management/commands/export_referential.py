from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from referentiel.enums import VersionStatus
from referentiel.loader import dump_referential
from referentiel.management import get_territory, referential_yaml, write_binary
from referentiel.models import ReferentialVersion
from referentiel.spreadsheet import workbook_bytes


class Command(BaseCommand):
    help = (
        "Exporte une version du référentiel d'un territoire (la version publiée par défaut) en YAML ou en "
        "classeur Excel, sur la sortie standard ou dans un fichier. Format : docs/referential-format.md."
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
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--version-id", type=int, metavar="ID", help="exporte cette version (n'importe quel statut)")
        which.add_argument("--draft", action="store_true", help="exporte le brouillon en cours")

    def handle(self, *args, territory, output_format, output, version_id, draft, **options):
        territory = get_territory(territory)
        if output_format is None:
            output_format = "xlsx" if output and output.lower().endswith(".xlsx") else "yaml"
        with schema_context(territory.schema_name):
            version = self._version(territory, version_id, draft)
            data = dump_referential(version)
        payload = workbook_bytes(data) if output_format == "xlsx" else referential_yaml(data).encode()

        if output:
            try:
                Path(output).write_bytes(payload)
            except OSError as error:
                raise CommandError(f"Impossible d'écrire « {output} » : {error.strerror or error}.") from error
            self.stdout.write(
                self.style.SUCCESS(
                    f"« {version.title} » version {version.label} ({version.get_status_display().lower()}) "
                    f"du territoire « {territory.name} » exportée dans {output}."
                )
            )
        elif output_format == "yaml":
            self.stdout.write(payload.decode(), ending="")
        else:
            write_binary(self.stdout, payload)

    def _version(self, territory, version_id, draft):
        versions = ReferentialVersion.objects.all()
        if version_id is not None:
            version = versions.filter(pk=version_id).first()
            missing = f"Le territoire « {territory.name} » n'a pas de version n° {version_id} du référentiel."
        elif draft:
            version = versions.filter(status=VersionStatus.DRAFT).first()
            missing = f"Le territoire « {territory.name} » n'a pas de brouillon du référentiel."
        else:
            version = versions.filter(status=VersionStatus.PUBLISHED).first()
            missing = f"Le territoire « {territory.name} » n'a pas de version publiée du référentiel."
        if version is None:
            raise CommandError(missing)
        return version
