from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """No inline script or style anywhere: the territory colour comes from /theme.css."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response
