def username_from_credentials(request, credentials) -> str | None:
    """The account django-axes counts failures against: the e-mail typed at log-in."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or (request.POST.get("login") if request is not None else None)
    )
    return value.strip().lower() if value else None
