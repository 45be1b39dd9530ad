"""allauth's login page, answering 429 when failed attempts blocked it (allauth renders the form with a 200)."""

from allauth.account.views import LoginView as AllauthLoginView

BLOCKED = "too_many_login_attempts"  # the code of allauth's ValidationError (adapter.error_messages)


class LoginView(AllauthLoginView):
    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(error.code == BLOCKED for error in form.non_field_errors().as_data()):
            # Said to clients and monitoring too, not only in the page's French message.
            response.status_code = 429
        return response


login = LoginView.as_view()
