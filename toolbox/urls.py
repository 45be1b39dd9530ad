"""Routes of the toolbox, one module per face: browsing (participants), staff editing, action plans, PCAET."""

from . import urls_browse, urls_pcaet, urls_plan, urls_staff

app_name = "toolbox"

urlpatterns = urls_browse.urlpatterns + urls_staff.urlpatterns + urls_plan.urlpatterns + urls_pcaet.urlpatterns
