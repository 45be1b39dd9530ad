"""What the report tests share: a submitted assessment with comments and a plan, and the PDF's text."""

import io

from pypdf import PdfReader

from referentiel.services import submit_assessment
from toolbox.enums import PlanStatus

from ..referentiel.test_results import answered_assessment, make_organisation, make_user
from ..toolbox.factories import PlanItemFactory, PlanNoteFactory


def pdf_text(pdf):
    """The text of every page, joined; pypdf reads it back from the PDF's content streams."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text):
    """Whitespace collapsed: a PDF breaks lines where the page did."""
    return " ".join(text.split())


def report_world(name="Boulangerie du Clain", email="camille@example.org", comment="Chaudière changée en 2024."):
    """A member, their organisation and a submitted assessment with one comment per theme and a plan item."""
    member = make_user(email)
    member.first_name, member.last_name = "Camille", "Roux"
    member.save(update_fields=["first_name", "last_name"])
    organisation = make_organisation(name, member=member)
    assessment = answered_assessment(organisation, member)
    for answer in assessment.answers.select_related("question__theme").order_by("question__theme__order", "pk"):
        if not answer.comment:
            answer.comment = f"{comment} ({answer.question.code})"
            answer.save(update_fields=["comment"])
    submit_assessment(assessment, member)
    item = PlanItemFactory(
        organisation=organisation, action=None, title="Installer des LED", status=PlanStatus.IN_PROGRESS
    )
    PlanNoteFactory(item=item, author=member, text="Devis signé avec l'électricien.")
    assessment.refresh_from_db()
    return member, organisation, assessment
