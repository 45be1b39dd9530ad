"""« Ne plus recevoir d'invitations »: the link of every invitation email, without login.

The GET only asks (mail scanners open links); the POST records the refusal: the page's button, or a
mail client's one-click « Se désabonner » (RFC 8058, the email's List-Unsubscribe header), which posts
without cookie nor CSRF token. The token is signed for this territory's schema (events/staff_mail.py),
so a link of another territory opens nothing here; being the only credential, it stands for CSRF's.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.models import User

from .invitations import opt_out_of_invitations
from .models import InvitationOptOut
from .staff_mail import user_of_opt_out_token


@csrf_exempt
def opt_out(request, token):
    user_id = user_of_opt_out_token(request.tenant, token)
    if user_id is None or not User.objects.filter(pk=user_id).exists():
        raise Http404
    done = False
    if request.method == "POST":
        opt_out_of_invitations(user_id)
        done = True
    else:
        done = InvitationOptOut.objects.filter(user_id=user_id).exists()
    return render(
        request,
        "events/opt_out.html",
        {"page_title": _("Ne plus recevoir d'invitations"), "done": done, "posted": request.method == "POST"},
    )
