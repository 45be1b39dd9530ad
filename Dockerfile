# Production image: gunicorn (web), Celery (worker, beat). WeasyPrint needs Pango and fonts.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=assett.settings

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libffi8 \
    fonts-dejavu-core fonts-liberation shared-mime-info \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install . && pip uninstall -y assett
COPY . .
# Static files are built as production serves them (WhiteNoise's compressed manifest storage, so
# DJANGO_ENV=production); that needs the settings but no database, and throwaway values are
# enough at build time. tests/test_production.py runs this very line.
RUN DJANGO_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid EMAIL_HOST=build.invalid python manage.py collectstatic --noinput
RUN useradd --create-home --uid 1000 assett && mkdir -p /app/.local/media && chown -R assett /app/.local
USER assett

EXPOSE 8000
CMD ["gunicorn", "assett.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
