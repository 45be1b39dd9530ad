from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.enums import Role
from organisations.demo import demo_user, in_programme, seed_organisations
from tenants.demo import DEMO_PASSWORD, DEMO_TERRITORIES
from tenants.enums import TerritoryStatus
from tenants.platform import ensure_public_tenant
from tenants.provisioning import provisioning_hooks
from tenants.services import TerritorySpec, provision_territory, set_territory_status


class Command(BaseCommand):
    help = "Crée les sept territoires lauréats sur <slug>.localhost, avec comptes et organisations de démonstration."

    def add_arguments(self, parser):
        parser.add_argument("--domain-suffix", default="localhost")

    def handle(self, *args, domain_suffix, **options):
        ensure_public_tenant()
        with schema_context("public"):
            national = demo_user("national@assett.localhost", DEMO_PASSWORD, first_name="Hélène", last_name="Rousseau")
            if not national.is_superuser:
                national.is_staff = national.is_superuser = True
                national.save()
        for demo in DEMO_TERRITORIES:
            spec = TerritorySpec(
                domain=f"{demo['slug']}.{domain_suffix}",
                admin_email=f"admin@{demo['slug']}.localhost",
                contact_email=f"contact@{demo['slug']}.localhost",
                **{key: value for key, value in demo.items() if key in TerritorySpec.__dataclass_fields__},
            )
            result = provision_territory(spec)
            territory = result.territory
            if territory.is_preparing:  # the demo shows open programmes
                set_territory_status(territory, TerritoryStatus.ACTIVE)
            with schema_context(territory.schema_name), transaction.atomic():
                admin = demo_user(
                    spec.admin_email, DEMO_PASSWORD, role=Role.ADMIN, first_name="Claire", last_name="Dubois"
                )
                if not admin.has_usable_password():
                    admin.set_password(DEMO_PASSWORD)
                    admin.save()
                demo_user(
                    f"equipe@{demo['slug']}.localhost",
                    DEMO_PASSWORD,
                    role=Role.STAFF,
                    first_name="Karim",
                    last_name="Benali",
                )
                # Territories created before an app existed get its national content too.
                for hook in provisioning_hooks():
                    hook(territory)
                organisations = in_programme(seed_organisations(territory, DEMO_PASSWORD))
                for seed in self.extra_seeds():
                    seed(territory, organisations)
            state = "créé" if result.created else "déjà présent"
            self.stdout.write(f"{territory.name} ({state}) : http://{spec.domain}/")
        for finish in self.final_steps():
            finish()

    def extra_seeds(self):
        """Each app's demo data for a territory, given its demo organisations."""
        from events.demo import seed_demo_events
        from referentiel.demo import seed_demo_assessments
        from review.demo import collect_demo_benchmark, seed_demo_review
        from toolbox.demo import seed_demo_plans
        from toolbox.demo_local import seed_demo_local_offer
        from toolbox.demo_pcaet import seed_demo_pcaet

        # The review's organisations after the plans, the PCAET and the events; its aggregates last, of everything.
        return [
            seed_demo_assessments,
            seed_demo_local_offer,
            seed_demo_plans,
            seed_demo_pcaet,
            seed_demo_events,
            seed_demo_review,
            collect_demo_benchmark,
        ]

    def final_steps(self):
        """Once every territory is seeded: the national view's merge of their aggregates."""
        from benchmarks.services import merge_benchmarks

        return [merge_benchmarks]
