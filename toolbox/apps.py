from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ToolboxConfig(AppConfig):
    name = "toolbox"
    verbose_name = _("Boîte à outils")

    def ready(self):
        from tenants.provisioning import register_provisioning_hook

        from .loader import install_national_toolbox
        from .models import Action, ActionQuestion
        from .recommendations import forget_rankings

        # After the referential's hook (referentiel comes first in TENANT_APPS): the toolbox's
        # question links are checked against the territory's published referential.
        register_provisioning_hook(install_national_toolbox)

        # A changed action or question link changes what is recommended (toolbox/recommendations.py).
        for model in (Action, ActionQuestion):
            post_save.connect(forget_rankings, sender=model, dispatch_uid=f"forget_rankings_save_{model.__name__}")
            post_delete.connect(forget_rankings, sender=model, dispatch_uid=f"forget_rankings_delete_{model.__name__}")
