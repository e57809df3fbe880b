from urllib.parse import urlsplit

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.test import RequestFactory

from apps.accounts.models import Team, User
from apps.accounts.roles import assign_role
from apps.core.validators import validate_no_control_characters


class Command(BaseCommand):
    help = (
        "Create a staff account with a role. The account has no usable password: "
        "the new user is e-mailed a link to set one. Staff must then set up MFA."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--role",
            required=True,
            choices=[*User.Role.values, "administrator"],
            help="patient, caseworker, supervisor, content_editor or administrator",
        )
        parser.add_argument("--name", default="", help="The person's full name.")
        parser.add_argument("--team", default="", help="Team name (created if new).")

    def handle(self, *args, email, role, name, team, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an e-mail address") from error
        try:
            validate_no_control_characters(name)
        except ValidationError as error:
            raise CommandError(f"The name: {error.messages[0]}") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account for {email} already exists")
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password=None,
                full_name=name,
                is_superuser=role == "administrator",
            )
            team_obj = Team.objects.get_or_create(name=team)[0] if team else None
            assign_role(
                user=user, role="" if role == "administrator" else role, team=team_obj
            )
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=True
            )
        self._send_password_link(email)
        self.stdout.write(
            f"Created {role} account {email}; a set-password link was sent."
        )

    def _send_password_link(self, email):
        site = urlsplit(settings.SITE_URL)
        request = RequestFactory().post(
            "/accounts/password/reset/",
            HTTP_HOST=site.netloc,
            secure=site.scheme == "https",
        )
        form = ResetPasswordForm(data={"email": email})
        if not form.is_valid():
            raise CommandError("Could not send the set-password e-mail")
        # allauth reads the current request from its own context when sending mail.
        with context.request_context(request):
            form.save(request)
