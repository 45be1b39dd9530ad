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
        from .recommendations import forget_rankings_on_commit

        # After the referential's hook (referentiel comes first in TENANT_APPS): the toolbox's
        # question links are checked against the territory's published referential.
        register_provisioning_hook(install_national_toolbox)

        # A saved action or question link changes what is recommended (toolbox/recommendations.py). Not
        # post_delete on links: it would cost the loader Django's fast delete of a whole toolbox's links,
        # and the loader, whose bulk writes send no signal, moves the rankings aside itself once per load.
        post_save.connect(forget_rankings_on_commit, sender=Action, dispatch_uid="forget_rankings_action_saved")
        post_delete.connect(forget_rankings_on_commit, sender=Action, dispatch_uid="forget_rankings_action_deleted")
        post_save.connect(forget_rankings_on_commit, sender=ActionQuestion, dispatch_uid="forget_rankings_link_saved")
