from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from assett.problems import problems_text
from events.formats_loader import NATIONAL_FORMATS, FormatsFileError, load_national_formats, read_formats_file
from referentiel.management import get_territory
from tenants.models import Territory


class Command(BaseCommand):
    help = (
        "Importe la bibliothèque nationale des déroulés d'ateliers (par défaut events/data/deroules_nationaux.yaml) "
        "dans un territoire, ou dans tous avec --all : ajoute les nouveaux déroulés, met à jour les déroulés "
        "nationaux, masque ceux retirés du fichier, ne touche pas aux déroulés du territoire (ses copies "
        "comprises). Tout le fichier est vérifié d'abord : au moindre problème, rien n'est modifié. "
        "Format : docs/events.md."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--territory", metavar="SLUG", help="identifiant du territoire")
        which.add_argument("--all", action="store_true", help="tous les territoires")
        parser.add_argument("file", nargs="?", default=str(NATIONAL_FORMATS), metavar="FICHIER", help="fichier .yaml")

    def handle(self, *args, territory, all, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Le fichier « {file} » est introuvable.")
        if all:
            with schema_context(settings.PUBLIC_SCHEMA_NAME):
                territories = list(Territory.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("slug"))
        else:
            territories = [get_territory(territory)]
        try:
            data = read_formats_file(path)
        except FormatsFileError as error:
            raise self._refused(file, error.problems) from error
        for target in territories:
            with schema_context(target.schema_name):
                try:
                    summary = load_national_formats(data)
                except FormatsFileError as error:
                    raise self._refused(file, error.problems, target) from error
            self.stdout.write(self.style.SUCCESS(self._summary(target, summary)))

    def _summary(self, territory, summary):
        lines = [
            f"Déroulés nationaux importés dans « {territory.name} » : {_count(summary.created, 'créé', 'créés')}, "
            f"{_count(summary.updated, 'mis à jour', 'mis à jour')}, "
            f"{_count(summary.unchanged, 'inchangé', 'inchangés')}."
        ]
        if summary.hidden:
            lines.append(f"Retirés du fichier national, donc masqués (pas supprimés) : {', '.join(summary.hidden)}.")
        if summary.kept_local:
            lines.append(
                "Déroulés locaux portant un code du fichier national, laissés tels quels : "
                f"{', '.join(summary.kept_local)}."
            )
        return "\n".join(lines)

    def _refused(self, file, problems, territory=None):
        count = f"{len(problems)} problème{'s' if len(problems) > 1 else ''}"
        where = f" dans « {territory.name} »" if territory else ""
        return CommandError(
            f"« {file} » n'a pas été importé{where}, rien n'y a changé ({count}) :\n{problems_text(problems)}"
        )


def _count(codes, one, many):
    return f"{len(codes)} {one if len(codes) <= 1 else many}"
