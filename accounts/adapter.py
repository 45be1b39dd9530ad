from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django.urls import reverse
from django_tenants.utils import get_public_schema_name

from mailing.services import queue_message
from tenants.links import current_territory, on_site


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Participants sign up on their territory's site; national admin accounts are created by hand.
        return connection.schema_name != get_public_schema_name()

    def get_login_redirect_url(self, request):
        if connection.schema_name == get_public_schema_name():
            return "/plateforme/" if request.user.is_staff else "/"
        return super().get_login_redirect_url(request)

    def get_password_change_redirect_url(self, request):
        # Back to « Mon compte », where the change started (territory sites only), with allauth's message.
        if connection.schema_name == get_public_schema_name():
            return super().get_password_change_redirect_url(request)
        return reverse("accounts:overview")

    def send_mail(self, template_prefix, email, context):
        """allauth's emails (confirmation, password reset…) take the same path as ours: a stored row
        sent by a Celery task after commit, never SMTP inside the request."""
        territory = current_territory()
        domain = territory.get_primary_domain().domain
        ctx = {
            "email": email,
            "territory": territory,
            "current_site": SimpleNamespace(name=territory.programme_name, domain=domain),
            **context,
        }
        # allauth builds its links from the request (its Host header, its port): keep their path only,
        # on the territory's own domain with the configured scheme and port.
        for key, value in ctx.items():
            if key.endswith("_url") and isinstance(value, str) and value.startswith(("http://", "https://")):
                ctx[key] = on_site(domain, value)
        message = self.render_mail(template_prefix, email, ctx)
        html_body = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        if message.content_subtype == "html":
            message.body, html_body = "", message.body
        # The sender is the territory's programme (mailing.services.sender), not allauth's DEFAULT_FROM_EMAIL.
        queue_message(message.to, message.subject, message.body, html_body)
