from allauth.account.adapter import DefaultAccountAdapter

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Only patients sign themselves up; staff accounts are made by an administrator.
        user.role = User.Role.PATIENT
        user = super().save_user(request, user, form, commit=False)
        if commit:
            user.save()
            from .roles import assign_role

            assign_role(user=user, role=User.Role.PATIENT)
        return user
