from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.platform import ensure_public_tenant


class Command(BaseCommand):
    help = "Registers the national site's domain (public schema). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--domain", default=settings.PLATFORM_DOMAIN)

    def handle(self, *args, domain, **options):
        ensure_public_tenant(domain)
        self.stdout.write(f"Plateforme nationale servie sur {domain}.")
