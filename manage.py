#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
    from django.core.management import execute_from_command_line

    from assett.devstack import use_embedded_services

    # Without DATABASE_URL / REDIS_URL: the embedded servers that `make run` uses (development only).
    use_embedded_services()
    execute_from_command_line(sys.argv)
