from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Rencontres et ateliers")

    def ready(self):
        from tenants.provisioning import register_provisioning_hook

        from .formats_loader import install_national_formats

        # After the toolbox's hook (toolbox comes before events in TENANT_APPS, so its ready() ran
        # first): the formats name toolbox actions, which must be there.
        register_provisioning_hook(install_national_formats)

        from review.sections import register_section

        from .review_section import events_section

        # Between the review's progress (30) and its action plans (40).
        register_section(events_section, order=35)
