from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from assett.problems import Problem, problems_text
from referentiel.enums import VersionStatus
from referentiel.loader import ReferentialFormatError, load_referential, read_yaml, validate_referential
from referentiel.management import get_territory
from referentiel.models import ReferentialVersion
from referentiel.spreadsheet import REFERENTIAL, read_workbook

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx",)


class Command(BaseCommand):
    help = (
        "Importe un référentiel (YAML ou classeur Excel .xlsx) dans un territoire, en brouillon, ou publié avec "
        "--publish. Tout le fichier est vérifié d'abord : au moindre problème, rien n'est modifié."
    )

    def add_arguments(self, parser):
        parser.add_argument("--territory", required=True, metavar="SLUG", help="identifiant du territoire")
        parser.add_argument("file", metavar="FICHIER", help="fichier .yaml, .yml ou .xlsx")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publie la version importée ; la version publiée jusque-là est archivée",
        )

    def handle(self, *args, territory, file, publish, **options):
        territory = get_territory(territory)
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix not in YAML_SUFFIXES + XLSX_SUFFIXES:
            raise CommandError(f"Format de « {file} » non reconnu : l'extension doit être .yaml, .yml ou .xlsx.")
        if not path.is_file():
            raise CommandError(f"Le fichier « {file} » est introuvable.")

        data, problems = self._read(path, suffix)
        with schema_context(territory.schema_name):
            problems += self._territory_problems(data, publish, spreadsheet=suffix in XLSX_SUFFIXES)
            if problems:
                raise self._refused(file, problems)
            previous = ReferentialVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
            try:
                version = load_referential(data, publish=publish)
            except ReferentialFormatError as error:  # a draft created meanwhile, say
                raise self._refused(file, error.problems) from error
            counts = (version.themes.count(), version.questions.count(), version.levels.count())

        summary = (
            f"« {version.title} » version {version.label} importée dans « {territory.name} » "
            f"({counts[0]} thèmes, {counts[1]} questions, {counts[2]} niveaux)"
        )
        if publish:
            archived = f" ; la version {previous.label} est archivée" if previous else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{summary} et publiée{archived}. Les auto-évaluations en cours restent sur leur version."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{summary} en brouillon : relisez-la dans l'espace de gestion, puis publiez-la.")
            )

    def _read(self, path, suffix):
        """The file's data (None if unreadable) and its problems; a workbook is validated while read."""
        try:
            if suffix in XLSX_SUFFIXES:
                return read_workbook(path), []
            data = read_yaml(path)
        except ReferentialFormatError as error:
            return None, list(error.problems)
        return data, list(validate_referential(data))

    def _territory_problems(self, data, publish, spreadsheet):
        """What the territory's current state forbids, reported with the file's own problems."""
        problems = []
        if not publish and ReferentialVersion.objects.filter(status=VersionStatus.DRAFT).exists():
            problems.append(
                Problem(
                    "territoire",
                    "un brouillon du référentiel existe déjà : publiez-le ou supprimez-le dans l'espace de gestion, "
                    "ou importez avec --publish.",
                )
            )
        label = data.get("version") if isinstance(data, dict) else None
        if isinstance(label, str) and ReferentialVersion.objects.filter(label=label.strip()).exists():
            where = f"feuille {REFERENTIAL.title}, ligne 2" if spreadsheet else "référentiel"
            problems.append(
                Problem(
                    where,
                    f"la version « {label.strip()} » existe déjà dans ce territoire : "
                    "donnez un autre numéro de version (champ « version »).",
                )
            )
        return problems

    def _refused(self, file, problems):
        count = f"{len(problems)} problème{'s' if len(problems) > 1 else ''}"
        return CommandError(f"« {file} » n'a pas été importé, rien n'a changé ({count}) :\n{problems_text(problems)}")
