"""pg_dump / pg_restore around the configured database."""

import os
import shutil
import subprocess  # nosec B404: runs pg_dump/pg_restore with argument lists only
from pathlib import Path

from django.conf import settings


class BackupError(Exception):
    pass


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client "
            "(apt-get install postgresql-client)."
        )
    return path


def connection_args(database_name: str | None = None) -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args += ["--dbname", database_name or db["NAME"]]
    return args, env


def backup_database(path: Path) -> None:
    """Write the whole database to one file in pg_dump's custom format."""
    args, env = connection_args()
    result = subprocess.run(  # nosec B603
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def restore_database(path: Path, *, database_name: str | None = None) -> None:
    """Replace the contents of a database with a backup made by backup_database."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}")
    args, env = connection_args(database_name)
    result = subprocess.run(  # nosec B603
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
