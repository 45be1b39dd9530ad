"""The render time of a realistic PDF maturity report, in process, step by step.

    python bench/bench_report.py           # with DATABASE_URL / REDIS_URL set; BENCH_ROUNDS=10 by default
    python bench/bench_report.py --worker  # also end to end through a real worker (prefork, 2 processes)

The first run seeds the `bench-report` territory (once); later runs reuse it: an organisation that
answered the national referential twice (so the report shows its progress), with a comment on every
answer, and a plan of 30 items with steps and notes, the national toolbox recommending actions.
Each round builds the report's content (reports/content.py, the database side), renders its HTML,
then the PDF (WeasyPrint, PDF/UA-1) — what a worker does for one job, less storing the file — and
how long Python's garbage collector ran during that PDF step (`in gc`: reports/render.py pauses it
while WeasyPrint renders). The fixed pure-Python loop printed beside says how busy the host was.

With --worker, a real Celery worker (prefork, 2 processes, a queue of its own) renders jobs of that
report: first one per pool process (printed: a fresh process reads the referential and compiles the
template once), then 20 one after the other (enqueue → file ready, the worker warm; goal median <= 1 s,
p95 <= 2 s), then 50 sent at once (all done, none rendered twice, throughput, and the worker's peak
memory, its processes' resident memory summed, sampled every 20 ms). The jobs and their files are removed after.
"""

import gc
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assett.settings")
os.environ.setdefault("DEBUG", "0")  # production-like: no query log, no debug templates
WITH_WORKER = "--worker" in sys.argv
if WITH_WORKER:
    # A queue of its own, for this process's tasks and the worker it starts (never a `make run` worker's).
    os.environ["CELERY_QUEUE"] = f"bench-reports-{uuid.uuid4().hex[:8]}"
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-reports-"))

import django  # noqa: E402
from pypdf import PdfReader  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.measure import analyze, count_queries, reference_loop, summary  # noqa: E402
from organisations.enums import MembershipRole, OrganisationKind  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from referentiel.enums import AssessmentStatus, QuestionKind  # noqa: E402
from referentiel.models import Answer, Assessment  # noqa: E402
from referentiel.services import AnswerInput, save_answer, start_assessment, submit_assessment  # noqa: E402
from referentiel.structure import structure_for  # noqa: E402
from reports.content import content_hash, report_content  # noqa: E402
from reports.enums import JobStatus  # noqa: E402
from reports.models import ReportJob  # noqa: E402
from reports.render import render_pdf, report_html  # noqa: E402
from reports.tasks import render_report  # noqa: E402
from tenants.platform import ensure_public_tenant  # noqa: E402
from tenants.services import TerritorySpec, provision_territory  # noqa: E402
from toolbox.enums import PlanStatus, Priority  # noqa: E402
from toolbox.models import PlanItem, PlanNote, PlanStep  # noqa: E402
from toolbox.plan import published_themes  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
DOMAIN = "bench-report.localhost"
EMAIL = "bench-report@example.org"
ORGANISATION = "Laiterie coopérative du Clain"
PLAN_ITEMS = 30


def _answer(question, rng):
    if question.kind == QuestionKind.NUMERIC:
        return AnswerInput(value=Decimal(rng.randint(0, 100)) if question.unit == "%" else Decimal("1250.5"))
    choices = sorted(question.choice_list, key=lambda c: c.points)
    if question.kind == QuestionKind.MULTIPLE:
        return AnswerInput(choice_ids=tuple(c.pk for c in rng.sample(choices, rng.randint(1, len(choices)))))
    return AnswerInput(choice_ids=(rng.choice(choices).pk,))


def _assessment(organisation, user, rng, days_ago):
    assessment = start_assessment(organisation, user)
    for _theme, questions in structure_for(assessment.version).themes_for(organisation):
        for question in questions:
            save_answer(assessment, question, user, _answer(question, rng))
    Answer.objects.filter(assessment=assessment).update(
        comment="Point fait en comité de direction ; chiffres du dernier bilan, à confirmer avec le prestataire."
    )
    submit_assessment(assessment, user)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    return assessment


def seed():
    call_command("migrate_schemas", "--shared", verbosity=0)
    ensure_public_tenant()
    territory = provision_territory(
        TerritorySpec(
            name="Bench rapport", slug="bench-report", domain=DOMAIN, admin_email="bench-report-admin@example.org"
        )
    ).territory
    with schema_context(territory.schema_name):
        if Organisation.objects.filter(name=ORGANISATION).exists():
            return territory
        rng = random.Random(42)
        user = User.objects.create_user(EMAIL, "bench-password-42", first_name="Claire", last_name="Martin")
        organisation = Organisation.objects.create(
            name=ORGANISATION,
            kind=OrganisationKind.ENTREPRISE,
            siret="73282932000074",
            naf_code="10.51A",
            headcount_band="21",
            commune="Poitiers",
        )
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.OWNER)
        _assessment(organisation, user, rng, days_ago=400)
        _assessment(organisation, user, rng, days_ago=0)
        themes = [code for code, _title in published_themes()]
        today = timezone.localdate()
        items = PlanItem.objects.bulk_create(
            PlanItem(
                organisation=organisation,
                title=f"Action du plan numéro {index} : réduire les consommations du site",
                description="Mesurer, comparer aux factures, décider en comité.",
                theme=rng.choice(themes),
                status=rng.choice(PlanStatus.values),
                priority=rng.choice(Priority.values),
                owner=user,
                target_date=today + timedelta(days=rng.randint(-60, 200)),
            )
            for index in range(PLAN_ITEMS)
        )
        steps = [PlanStep(item=item, order=n, text=f"Étape {n}") for item in items for n in range(3)]
        PlanStep.objects.bulk_create(steps)
        PlanNote.objects.bulk_create(PlanNote(item=item, text="Devis reçu, à comparer.", author=user) for item in items)
    return territory


class CollectorClock:
    """Time spent in Python's garbage collector since the last reset (ms), through gc.callbacks."""

    def __init__(self):
        self.total = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, _info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += (time.perf_counter() - self._start) * 1000

    def reset(self):
        total, self.total = self.total, 0.0
        return total


def main():
    territory = seed()
    analyze()
    collector = CollectorClock()
    with schema_context(territory.schema_name):
        assessment = (
            Assessment.objects.filter(organisation__name=ORGANISATION, status=AssessmentStatus.SUBMITTED)
            .select_related("organisation", "version")
            .latest("submitted_at")
        )
        content = report_content(assessment)
        pdf = render_pdf(content)  # warm-up: fonts, templates, the referential's structure
        queries = len(count_queries(lambda: report_content(assessment)))
        questions = sum(len(theme["questions"]) for theme in content["themes"])
        timings = {name: [] for name in ("loop", "content", "hash", "html", "pdf", "in gc", "total")}
        for _ in range(ROUNDS):
            timings["loop"].append(reference_loop())
            start = time.perf_counter()
            content = report_content(assessment)
            built = time.perf_counter()
            content_hash(content)
            hashed = time.perf_counter()
            report_html(content)
            rendered = time.perf_counter()
            collector.reset()
            pdf = render_pdf(content)
            done = time.perf_counter()
            timings["in gc"].append(collector.reset())
            for name, seconds in (
                ("content", built - start),
                ("hash", hashed - built),
                ("html", rendered - hashed),
                ("pdf", done - rendered),
                ("total", done - start - (rendered - hashed)),  # render_pdf renders the HTML itself
            ):
                timings[name].append(seconds * 1000)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"\nReport of « {ORGANISATION} »: {len(content['themes'])} themes, {questions} questions with comments, "
        f"{sum(len(g['items']) for g in content['plan'])} plan items, "
        f"{sum(len(g['actions']) for g in content['recommendations'])} recommended actions; "
        f"PDF {len(pdf) / 1024:.0f} KiB, {pages} pages; content: {queries} queries"
    )
    print(f"{ROUNDS} rounds, ms: {'step':<10}{'median':>9}{'p95':>9}{'min':>9}")
    for name, durations in timings.items():
        median, p95, fastest = summary(durations)
        label = "host loop" if name == "loop" else name
        print(f"{'':<{len(str(ROUNDS)) + 11}}{label:<10}{median:>9.1f}{p95:>9.1f}{fastest:>9.1f}")

    if WITH_WORKER:
        end_to_end(territory, assessment)


def start_worker():
    from assett.celery import app

    name = f"{settings.CELERY_TASK_DEFAULT_QUEUE}@{os.uname().nodename}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "assett", "worker", "--pool=prefork", "-c", "2", "-l", "WARNING"]
        + ["-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", name],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DEBUG": "0"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.inspect(destination=[name], timeout=0.5).ping():
            return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit("The worker did not start within 60 s.")


def worker_memory(process):
    """Resident memory of the worker and its pool processes, summed (MiB)."""
    try:
        parent = psutil.Process(process.pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return 0


def enqueue(assessment, schema):
    job = ReportJob.objects.create(assessment=assessment, content_hash=uuid.uuid4().hex * 2)
    render_report.apply_async((job.pk,), headers={"_schema_name": schema})
    return job.pk


def wait_done(pks, process, timeout=600, step=0.02):
    """Until every job is done or failed; returns the peak memory seen meanwhile (MiB)."""
    peak = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        peak = max(peak, worker_memory(process))
        if not ReportJob.objects.filter(pk__in=pks, status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists():
            return peak
        time.sleep(step)
    raise SystemExit(f"Jobs still not done after {timeout} s.")


def end_to_end(territory, assessment):
    process = start_worker()
    created = []
    try:
        with schema_context(territory.schema_name):
            cold = []
            for _ in range(2):  # warm-up: each pool process reads the referential, compiles the template
                start = time.perf_counter()
                created.append(enqueue(assessment, territory.schema_name))
                wait_done(created[-1:], process)
                cold.append((time.perf_counter() - start) * 1000)
            print(f"\nFirst report of each pool process: {cold[0]:.0f} ms, {cold[1]:.0f} ms")
            durations = []
            for _ in range(20):
                start = time.perf_counter()
                created.append(enqueue(assessment, territory.schema_name))
                wait_done(created[-1:], process)
                durations.append((time.perf_counter() - start) * 1000)
            median, p95, fastest = summary(durations)
            verdict = "met" if median <= 1000 and p95 <= 2000 else "NOT met"
            print(
                f"End to end, warm worker, 20 reports one after the other: median {median:.0f} ms, "
                f"p95 {p95:.0f} ms, min {fastest:.0f} ms (goal median <= 1 s, p95 <= 2 s: {verdict})"
            )

            start = time.perf_counter()
            burst = [enqueue(assessment, territory.schema_name) for _ in range(50)]
            created.extend(burst)
            peak = wait_done(burst, process)
            elapsed = time.perf_counter() - start
            rows = list(ReportJob.objects.filter(pk__in=burst).values_list("status", "attempts"))
            done = sum(1 for status, _attempts in rows if status == JobStatus.DONE)
            twice = sum(1 for _status, attempts in rows if attempts != 1)
            print(
                f"50 reports at once on 2 worker processes: {done}/50 done, {twice} rendered more than once, "
                f"{elapsed:.1f} s, {50 / elapsed * 60:.1f} reports per minute, worker peak memory {peak:.0f} MiB"
            )
    finally:
        process.terminate()
        process.wait(timeout=30)
        with schema_context(territory.schema_name):
            for job in ReportJob.objects.filter(pk__in=created):
                if job.file:
                    job.file.delete(save=False)
            ReportJob.objects.filter(pk__in=created).delete()


if __name__ == "__main__":
    main()
