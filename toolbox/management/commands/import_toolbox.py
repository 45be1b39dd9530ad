from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from assett.problems import problems_text
from referentiel.management import get_territory
from toolbox.loader import ToolboxFormatError, load_toolbox, read_yaml
from toolbox.spreadsheet import read_workbook

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx",)


class Command(BaseCommand):
    help = (
        "Importe une boîte à outils (YAML ou classeur Excel .xlsx) dans un territoire : son propre fichier "
        "(export_toolbox), ou avec --national une nouvelle édition de la boîte à outils nationale, qui garde "
        "les adaptations du territoire. Tout le fichier est vérifié d'abord : au moindre problème, rien n'est "
        "modifié. Format : docs/toolbox-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True, metavar="SLUG", help="identifiant du territoire")
        parser.add_argument("file", metavar="FICHIER", help="fichier .yaml, .yml ou .xlsx")
        parser.add_argument(
            "--national",
            action="store_true",
            help="le fichier est la boîte à outils nationale : ajoute ses actions, met à jour les champs "
            "nationaux non adaptés, masque les actions nationales retirées, ne touche pas aux lignes locales",
        )

    def handle(self, *args, territory, file, national, **options):
        territory = get_territory(territory)
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix not in YAML_SUFFIXES + XLSX_SUFFIXES:
            raise CommandError(f"Format de « {file} » non reconnu : l'extension doit être .yaml, .yml ou .xlsx.")
        if not path.is_file():
            raise CommandError(f"Le fichier « {file} » est introuvable.")

        with schema_context(territory.schema_name):
            try:
                # A workbook is read against the territory's referential, so its problems come with their rows.
                data = read_workbook(path, national=national) if suffix in XLSX_SUFFIXES else read_yaml(path)
                summary = load_toolbox(data, national=national)
            except ToolboxFormatError as error:
                raise self._refused(file, error.problems) from error

        self.stdout.write(self.style.SUCCESS(self._summary(territory, national, summary)))

    def _summary(self, territory, national, summary):
        what = "Boîte à outils nationale" if national else "Boîte à outils"
        lines = [
            f"{what} importée dans « {territory.name} » : {_count(summary.created, 'action créée', 'actions créées')}, "
            f"{_count(summary.updated, 'mise à jour', 'mises à jour')}."
        ]
        if summary.hidden:
            lines.append(f"Retirées du fichier national, donc masquées (pas supprimées) : {', '.join(summary.hidden)}.")
        if summary.adapted_kept:
            adapted = "; ".join(f"{code} ({', '.join(fields)})" for code, fields in summary.adapted_kept.items())
            lines.append(f"Champs adaptés par le territoire, laissés tels quels : {adapted}.")
        if summary.kept_local:
            lines.append(
                "Lignes locales portant un code du fichier national, laissées telles quelles : "
                f"{', '.join(summary.kept_local)}."
            )
        return "\n".join(lines)

    def _refused(self, file, problems):
        count = f"{len(problems)} problème{'s' if len(problems) > 1 else ''}"
        return CommandError(f"« {file} » n'a pas été importé, rien n'a changé ({count}) :\n{problems_text(problems)}")


def _count(codes, one, many):
    return f"{len(codes)} {one if len(codes) <= 1 else many}"
