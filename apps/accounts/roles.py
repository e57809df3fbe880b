"""Roles are kept on the user and mirrored in groups, which carry the permissions."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User

ROLE_GROUPS = {
    User.Role.PATIENT: "Patients",
    User.Role.CASEWORKER: "Caseworkers",
    User.Role.SUPERVISOR: "Supervisors",
    User.Role.CONTENT_EDITOR: "Content editors",
}
CONTENT_EDITORS_GROUP = ROLE_GROUPS[User.Role.CONTENT_EDITOR]

# The apps whose models content editors change in the admin. Personal data lives
# elsewhere and is never granted to them.
CONTENT_APPS = ("diseases", "checklists", "directory")
# Clinical sign-off is a permission of its own, kept apart from editing: an editor
# signs off only when an administrator also makes them a clinical reviewer.
CLINICAL_REVIEWERS_GROUP = "Clinical reviewers"
SIGN_OFF_PREFIX = "sign_off_"


@transaction.atomic
def assign_role(*, user: User, role: str, team=None) -> User:
    """Give a user one role: the field, the matching group and admin access."""
    user.role = role
    if team is not None:
        user.team = team
    user.is_staff = user.is_superuser or role == User.Role.CONTENT_EDITOR
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()))
    if role in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
        user.groups.add(group)
    return user


def grant_content_permissions(apps, schema_editor, app_label: str) -> None:
    """For a data migration: let content editors change every model of a content app.

    Called from each content app's own migration once its models exist.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # A migration's app config has no models_module, which create_permissions
    # checks before creating anything; any true value lets it proceed.
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=CONTENT_EDITORS_GROUP)
    group.permissions.add(
        *permission_model.objects.filter(content_type__app_label=app_label).exclude(
            codename__startswith=SIGN_OFF_PREFIX
        )
    )


def grant_sign_off_permissions(apps, schema_editor, app_label: str) -> None:
    """For a data migration: the clinical reviewers' group gets the sign-off
    permissions of a content app (and content editors never do)."""
    grant_content_permissions(apps, schema_editor, app_label)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    sign_off = permission_model.objects.filter(
        content_type__app_label=app_label, codename__startswith=SIGN_OFF_PREFIX
    )
    group_model.objects.get(name=CONTENT_EDITORS_GROUP).permissions.remove(*sign_off)
    group, _ = group_model.objects.get_or_create(name=CLINICAL_REVIEWERS_GROUP)
    group.permissions.add(*sign_off)


def is_clinical_reviewer(user) -> bool:
    return user.groups.filter(name=CLINICAL_REVIEWERS_GROUP).exists()


def set_clinical_reviewer(*, user: User, is_reviewer: bool) -> None:
    """Make a user a clinical reviewer or not. Admin access still comes from the
    role: a reviewer who is not a content editor cannot reach the admin."""
    group, _ = Group.objects.get_or_create(name=CLINICAL_REVIEWERS_GROUP)
    if is_reviewer:
        user.groups.add(group)
    else:
        user.groups.remove(group)
