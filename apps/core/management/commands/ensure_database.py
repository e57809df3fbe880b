import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database named in DATABASE_URL if it does not exist "
        "yet, connecting to the server's 'postgres' database to do so."
    )

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        params = {
            "dbname": "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        try:
            with psycopg.connect(
                **{k: v for k, v in params.items() if v}, autocommit=True
            ) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
                ).fetchone()
                if exists:
                    self.stdout.write(f"Database {db['NAME']} is ready.")
                    return
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"]))
                )
        except psycopg.OperationalError as error:
            raise CommandError(
                f"Cannot reach PostgreSQL at {db.get('HOST') or 'the local socket'}: "
                f"{error}. Start it, or install it with "
                "'apt-get install postgresql' (Debian/Ubuntu) and try again."
            ) from error
        self.stdout.write(f"Created database {db['NAME']}.")
