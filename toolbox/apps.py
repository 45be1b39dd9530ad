from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolboxConfig(AppConfig):
    name = "toolbox"
    verbose_name = _("Boîte à outils")

    def ready(self):
        from tenants.provisioning import register_provisioning_hook

        from .loader import install_national_toolbox

        # After the referential's hook (referentiel comes first in TENANT_APPS): the toolbox's
        # question links are checked against the territory's published referential.
        register_provisioning_hook(install_national_toolbox)
