"""Being written in this session (see referentiel/urls.py for the routes)."""
