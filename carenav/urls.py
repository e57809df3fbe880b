from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from apps.core.languages import switch_language
from apps.core.views import healthz
from apps.referrals.fhir.views import smart_configuration

# Admin sign-in goes through the site's own log-in, so MFA and lock-out apply to it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "CareNav administration"
admin.site.site_title = "CareNav admin"

# Pages people read exist in English at the URLs of DESIGN.md and in Spanish at the
# same paths under /es/ (English is never prefixed, so no English link changes).
# Each app's urls.py spells out its own full paths, so that /my/... pages can live
# with the app that owns their data.
page_urlpatterns = i18n_patterns(
    path("", include("apps.core.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.diseases.urls")),
    path("", include("apps.checklists.urls")),
    path("", include("apps.directory.urls")),
    path("", include("apps.referrals.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)

# One URL whatever the language: the health check, the language switch, the
# machine-read APIs and the staff's admin.
language_neutral_urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("language/", switch_language, name="set_language"),
    path("api/hsds/", include("apps.directory.api.urls")),
    path("api/fhir/", include("apps.referrals.fhir.urls")),
    path(
        ".well-known/smart-configuration",
        smart_configuration,
        name="smart_configuration",
    ),
    path("admin/", admin.site.urls),
]

urlpatterns = language_neutral_urlpatterns + page_urlpatterns

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
