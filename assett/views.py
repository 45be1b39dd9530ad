"""Pages every site has, national or territorial: legal notices and errors."""

from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from organisations.constants import INVITATION_VALIDITY, JOIN_REQUEST_VALIDITY


class LegalPage(TemplateView):
    pass


class PersonalDataPage(LegalPage):
    """The durations it states are read from the rules that apply them, so that the page stays true."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            retention={
                "session_days": settings.SESSION_COOKIE_AGE // 86400,
                "confirmation_days": allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
                "password_reset_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                "invitation_days": INVITATION_VALIDITY.days,
                "join_request_days": JOIN_REQUEST_VALIDITY.days,
            },
            **kwargs,
        )


accessibility = LegalPage.as_view(
    template_name="pages/accessibility.html", extra_context={"page_title": _("Déclaration d'accessibilité")}
)
legal_notice = LegalPage.as_view(
    template_name="pages/legal_notice.html", extra_context={"page_title": _("Mentions légales")}
)
personal_data = PersonalDataPage.as_view(
    template_name="pages/personal_data.html", extra_context={"page_title": _("Données personnelles")}
)
