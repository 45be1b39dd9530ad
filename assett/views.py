"""Pages every site has, national or territorial: legal notices and errors."""

from django.views.generic import TemplateView


class LegalPage(TemplateView):
    pass


accessibility = LegalPage.as_view(template_name="pages/accessibility.html")
legal_notice = LegalPage.as_view(template_name="pages/legal_notice.html")
personal_data = LegalPage.as_view(template_name="pages/personal_data.html")
