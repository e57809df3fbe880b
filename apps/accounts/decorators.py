from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*roles: str) -> Callable:
    """Let only users with one of these roles in; everyone else gets a 403.

    Anonymous users never get this far: LoginRequiredMiddleware sends them to log in.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles or request.user.is_superuser:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
