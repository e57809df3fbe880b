from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import PermissionDenied
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.translation import get_language

from apps.core.client_address import client_address
from apps.core.languages import in_language, supported
from apps.core.mail import header_text, queue_mail, render_plain, written_for

from .models import User


class ConfiguredSite(RequestSite):
    """The site as SITE_URL names it, whatever Host header the request carried."""

    def __init__(self):
        self.domain = urlsplit(settings.SITE_URL).netloc
        self.name = "CareNav"


def rebase_link(value, request):
    """A link allauth built from the request's host, moved onto SITE_URL, to the
    page in the language the message is written in."""
    if not isinstance(value, str) or request is None:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return value
    site = urlsplit(settings.SITE_URL)
    path = in_language(parts.path, get_language())
    path = (site.path.rstrip("/") + path) if site.path else path
    return urlunsplit((site.scheme, site.netloc, path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's per-address limit (ACCOUNT_RATE_LIMITS["login_failed"]).
        "too_many_login_attempts": (
            "Too many failed sign-ins have come from your connection. Please wait a "
            "minute and try again."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        # Only patients sign themselves up; staff accounts are made by an administrator.
        user.role = User.Role.PATIENT
        user = super().save_user(request, user, form, commit=False)
        # The language of the page they signed up on, for their pages and e-mails.
        user.language = supported(get_language()) or settings.LANGUAGE_CODE
        if commit:
            user.save()
            from .roles import assign_role

            assign_role(user=user, role=User.Role.PATIENT)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's mails (verification, password reset, notices) like every
        other: rendered as plain text, links on SITE_URL, sent by the worker."""
        # To an account: in its language; to an address without one (a password
        # reset asked for an unknown address): in the page's.
        account = User.objects.filter(email__iexact=email).first()
        if account is not None:
            with written_for(account):
                return self._queue_mail(template_prefix, email, context)
        return self._queue_mail(template_prefix, email, context)

    def _queue_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = self.request
        ctx = {"email": email, "current_site": ConfiguredSite()}
        ctx.update({key: rebase_link(value, request) for key, value in context.items()})
        ctx["request"] = request
        subject = self.format_email_subject(
            header_text(render_plain(f"{template_prefix}_subject.txt", ctx))
        )
        body = render_plain(f"{template_prefix}_message.txt", ctx).strip()
        try:
            html_body = render_to_string(f"{template_prefix}_message.html", ctx)
        except TemplateDoesNotExist:
            html_body = ""
        queue_mail(
            subject=subject,
            body=body,
            html_body=html_body,
            to=[email],
            from_email=self.get_from_email(),
        )

    def get_client_ip(self, request) -> str:
        # allauth's per-address limits see the client, not the proxy in front.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
