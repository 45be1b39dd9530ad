"""Where uploaded files live and which URL serves them."""

import os

from django.conf import settings
from django_tenants.files.storage import TenantFileSystemStorage


class TerritoryFileStorage(TenantFileSystemStorage):
    """Files under MEDIA_ROOT/<schema>/, URLs under MEDIA_URL without the schema.

    A file's URL is relative to the site that shows it: /media/branding/logo.png is served by
    tenants.views.media from the folder of the territory whose host is asked, and from no other.
    So no URL names another territory's folder, and the URL the page renders is the one served
    (django-tenants' own URLs put the schema in the path, and the view added it a second time).
    """

    @property
    def base_url(self):
        return settings.MEDIA_URL

    @property
    def relative_media_root(self):
        # Not cached, unlike django-tenants': a changed MEDIA_ROOT (tests) is followed at once.
        return os.path.join(settings.MEDIA_ROOT, settings.MULTITENANT_RELATIVE_MEDIA_ROOT)


class PrivateTerritoryStorage(TerritoryFileStorage):
    """Files under PRIVATE_MEDIA_ROOT/<schema>/, which no URL serves (PDF reports).

    Outside MEDIA_ROOT on purpose: tenants.views.media serves anything under a territory's media
    folder to whoever asks its host. These files are read back only by views that check rights
    (reports.views.download) and have no URL of their own.
    """

    @property
    def relative_media_root(self):
        return os.path.join(settings.PRIVATE_MEDIA_ROOT, settings.MULTITENANT_RELATIVE_MEDIA_ROOT)

    def url(self, name):
        raise NotImplementedError("Private files have no URL: serve them through a view that checks rights.")
