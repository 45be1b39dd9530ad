"""Password-reset tokens bound to their territory.

User ids repeat from one schema to the next, and Django's tokens are an HMAC of the user's id and
state under the platform-wide SECRET_KEY: without the schema in the hash, a token minted on one
territory could be replayed on another for the user who has the same id there.
"""

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
from django.db import connection


class TerritoryPasswordResetTokenGenerator(EmailAwarePasswordResetTokenGenerator):
    def _make_hash_value(self, user, timestamp):
        return f"{connection.schema_name}|{super()._make_hash_value(user, timestamp)}"
