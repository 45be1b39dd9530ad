from django.core.management.base import BaseCommand, CommandError

from tenants.enums import EpciKind
from tenants.services import ProvisioningError, TerritorySpec, provision_territory


class Command(BaseCommand):
    help = "Ouvre un territoire : schéma, domaine, administrateur·rice invité·e, contenus nationaux. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--kind", choices=EpciKind.values, default="")
        parser.add_argument("--siren", default="")
        parser.add_argument("--programme-name", default="")
        parser.add_argument("--presentation", default="")
        parser.add_argument("--accent-color", default="")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--time-zone", default="")

    def handle(self, *args, **options):
        fields = {name: options[name] for name in TerritorySpec.__dataclass_fields__ if options.get(name)}
        try:
            result = provision_territory(TerritorySpec(**{"kind": "", **fields}))
        except ProvisioningError as error:
            raise CommandError(
                "Rien n'a été créé :\n"
                + "\n".join(f"- {field} : {msg}" for field, msgs in error.errors.items() for msg in msgs)
            ) from error
        territory = result.territory
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Territoire « {territory.name} » créé sur {options['domain']}."))
        else:
            self.stdout.write(f"Le territoire « {territory.name} » existe déjà : rien n'a changé.")
