"""A person who signs up on the Spanish pages gets their e-mails in Spanish."""

import pytest

from apps.core.tests.english_text import english_words

PASSWORD = "una-contraseña-larga-y-segura"


def sign_up(client, path: str, email: str) -> None:
    client.post(path, {"email": email, "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.django_db
def test_the_verification_email_is_written_in_spanish(client, mailoutbox):
    sign_up(client, "/es/accounts/signup/", "nueva@example.org")
    (message,) = mailoutbox
    assert message.subject.endswith(
        "Confirme su dirección de correo electrónico para CareNav"
    )
    assert "Para confirmar que es suya, abra este enlace:" in message.body
    assert "CareNav da información general, no consejo médico." in message.body
    assert english_words(message.subject + "\n" + message.body) == ()


@pytest.mark.django_db
def test_the_verification_email_stays_english_for_english_pages(client, mailoutbox):
    sign_up(client, "/accounts/signup/", "new@example.org")
    (message,) = mailoutbox
    assert message.subject.endswith("Confirm your e-mail address for CareNav")
    assert "To confirm it is yours, open this link:" in message.body


@pytest.mark.django_db
def test_a_spanish_speakers_password_reset_is_in_spanish(client, mailoutbox, patient):
    patient.language = "es"
    patient.save(update_fields=["language"])
    client.post("/accounts/password/reset/", {"email": patient.email})
    (message,) = mailoutbox
    assert message.subject.endswith("Elija una contraseña nueva para CareNav")
    assert english_words(message.subject + "\n" + message.body) == ()
