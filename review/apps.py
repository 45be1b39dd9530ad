from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Bilan du programme")

    def ready(self):
        from . import builtin
        from .sections import register_section

        # Spaced orders, so that another app's section (events) can take its place between them.
        register_section(builtin.participation, order=10)
        register_section(builtin.maturity, order=20)
        register_section(builtin.progress, order=30)
        register_section(builtin.actions, order=40)
