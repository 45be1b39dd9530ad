"""The programme review as a PDF on a big territory: its content and its WeasyPrint render.

    python bench/bench_review_pdf.py      # with DATABASE_URL / REDIS_URL set

On bench/bench_review.py's `bench-review` territory (5,000 organisations, 20,000 validated
assessments, 10,000 plan items; seeded by its first run, reused after): the time of
`review_content(Period())` (the dashboard's queries and the sections as plain data), of the PDF
(`render_review_pdf`), its pages and its size. As in the other benchmarks, a fixed pure-Python loop
is timed beside the figures: on a shared host every figure moves with the load.
"""

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django_tenants.utils import schema_context  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.bench_review import seed, timed  # noqa: E402
from bench.measure import analyze, count_queries  # noqa: E402
from reports.review_content import review_content  # noqa: E402
from reports.review_render import render_review_pdf  # noqa: E402
from review.data import Period  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def main():
    print(f"host load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    territory = seed()
    analyze()
    with schema_context(territory.schema_name):
        queries = count_queries(lambda: review_content(Period()))
        (median, p95, best), loop = timed(lambda: review_content(Period()), rounds=ROUNDS)
        print(
            f"content: {len(queries)} queries, median {median:.0f} ms, p95 {p95:.0f}, best {best:.0f}"
            f" (loop {loop:.2f} ms)"
        )
        content = review_content(Period())
        pdf = render_review_pdf(content)
        (median, p95, best), loop = timed(lambda: render_review_pdf(content), rounds=ROUNDS)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB, median {median:.0f} ms, p95 {p95:.0f}, best {best:.0f}"
            f" (loop {loop:.2f} ms, {ROUNDS} rounds)"
        )


if __name__ == "__main__":
    main()
