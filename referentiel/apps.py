from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = _("Référentiel d'auto-évaluation")

    def ready(self):
        from tenants.provisioning import register_provisioning_hook

        from .loader import install_national_referential

        register_provisioning_hook(install_national_referential)
