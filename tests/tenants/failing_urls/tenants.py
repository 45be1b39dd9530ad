from assett import urls_tenants as site

from . import FAILING

urlpatterns = [*FAILING, *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
