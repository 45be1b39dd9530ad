from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from tenants.figures import register_figures

        from .figures import organisation_figures

        register_figures(organisation_figures)
