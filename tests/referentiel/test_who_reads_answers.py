"""Participants are told, where they answer, that territory staff read their answers and comments."""

from .test_questionnaire import assessment, client, organisation, owner, theme_url  # noqa: F401 - fixtures


def test_the_theme_page_says_who_reads_answers_and_comments(client, assessment, in_a):  # noqa: F811
    page = client.get(theme_url(assessment, "PIL")).content.decode()

    assert "Vos réponses et commentaires sont lus par les membres de votre organisation" in page
    assert f"par l'équipe du programme de {in_a.name}" in page
    assert 'href="/donnees-personnelles/"' in page
    # The comment hint no longer says the comment is for colleagues only.
    assert "Vos collègues et l&#x27;équipe du territoire le liront" in page
    assert "à votre intention et à celle de vos collègues" not in page


def test_the_personal_data_page_says_basis_readers_durations_and_rights(client, in_a):  # noqa: F811
    page = client.get("/donnees-personnelles/").content.decode()

    assert "vos prénom et nom" in page  # asked at sign-up now
    assert "mission d'intérêt public" in page
    assert "réponses et commentaires compris" in page  # territory staff read them
    assert "ou 14 jours après votre connexion" in page  # SESSION_COOKIE_AGE
    assert "Une invitation est valable 14 jours" in page  # INVITATION_VALIDITY
    assert "valable 3 jours" in page  # allauth's confirmation links
    assert 'href="/mon-compte/"' in page
    assert "CNIL" in page
