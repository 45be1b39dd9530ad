from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection
from django_tenants.utils import get_public_schema_name


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Participants sign up on their territory's site; national admin accounts are created by hand.
        return connection.schema_name != get_public_schema_name()

    def get_login_redirect_url(self, request):
        if connection.schema_name == get_public_schema_name():
            return "/plateforme/" if request.user.is_staff else "/"
        return super().get_login_redirect_url(request)
