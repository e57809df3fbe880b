"""A count of changes per team: what tells a kept casework page that it is stale.

The caseworkers' pages (dashboard, worklist, a client's page) show a team's
clients, referrals, their timelines, notes, invitations, progress shares, the
feed marks and the team's staff. The database counts every write to those tables
against the team it concerns, by a trigger in the writing transaction itself
(migration 0008), so no code path can forget it: the ORM, queryset.update(), a
raw UPDATE, the admin, an import or another program. A page is kept under a key
that names the count it was rendered at (page_cache.py); the next write makes a
new key, so nothing has to be told to forget.

The count of a team is spread over SHARDS rows (migration 0009): a row being
counted stays locked until its transaction commits, so with one row per team every
writer of a team waited for the previous one's COMMIT (its flush to disk
included) and a team's status changes went one at a time. A writing transaction
now counts in the row its transaction id names (id modulo SHARDS); transactions
running at the same time have nearby ids, so they count in different rows and
commit together. The team's count is the sum of its rows: every committed write
raises it, so it never comes back to a value a page was kept under.

Directory names (services, organizations, locations) and the clock (the "needs
attention" rule, follow-up dates) are not counted: kept pages are at most
CASEWORK_PAGE_CACHE_SECONDS old for those, and the key names the day.
"""

from django.db import connection, models

# Rows per team: more than the writers that run at once (the web workers).
SHARDS = 16


class TeamChangeShard(models.Model):
    """How many writes touched the team's casework records so far, in the
    transactions counted in this row (no row: none). The team's count is the sum
    over its rows (changes_of()).

    The team is named by its id, without a foreign key: the trigger may count a
    write made while the team itself is being deleted (its staff's team set to
    none), and a row left for a deleted team harms nothing.
    """

    pk = models.CompositePrimaryKey("team_id", "shard")
    team_id = models.BigIntegerField()
    shard = models.SmallIntegerField()
    changes = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.changes} changes for team {self.team_id} (shard {self.shard})"


def team_changes_sql(team_column: str) -> str:
    """An SQL expression: the count of the team that ``team_column`` names (0 for
    none), for reading it within another query."""
    table = connection.ops.quote_name(TeamChangeShard._meta.db_table)
    # Only the model's own table name and the caller's column are formatted in.
    return (
        f"(SELECT coalesce(sum(counted.changes), 0) FROM {table} counted "  # nosec B608
        f"WHERE counted.team_id = {team_column})::bigint"
    )


# Set on the signed-in user by apps.accounts.backends: their team's count, read
# with the account at the start of the request.
TEAM_CHANGES = "team_changes"


def changes_of(team_id: int) -> int:
    """The team's count now, in one short query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {team_changes_sql('%s')}", [team_id])
        return cursor.fetchone()[0]


def changes_seen_by(user) -> int:
    """The count of the user's team as read with their account when the request
    started, else (a user loaded some other way) now."""
    counted = getattr(user, TEAM_CHANGES, None)
    return counted if counted is not None else changes_of(user.team_id)


# How each counted table leads to the teams a write concerns: the column read
# from the old and new row, and what that column names.
COUNTED_TABLES = {
    "referrals_client": ("team_id", "team"),
    "referrals_progressshare": ("team_id", "team"),
    "referrals_referral": ("client_id", "client"),
    "referrals_note": ("client_id", "client"),
    "referrals_clientinvitation": ("client_id", "client"),
    "referrals_referralevent": ("referral_id", "referral"),
    "referrals_feedmark": ("user_id", "user"),
    "accounts_user": ("team_id", "team"),
    # A linked patient's own profile shows on their client record.
    "accounts_patientprofile": ("user_id", "patient"),
}

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION carenav_count_team_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[] := ARRAY[]::bigint[];
    teams bigint[];
BEGIN
    -- TG_ARGV[0]: the column of the changed row; TG_ARGV[1]: what it names.
    IF TG_OP <> 'DELETE' THEN
        ids := ids || (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        ids := ids || (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    END IF;
    IF TG_ARGV[1] = 'team' THEN
        teams := ids;
    ELSIF TG_ARGV[1] = 'client' THEN
        SELECT array_agg(team_id) INTO teams FROM referrals_client
        WHERE id = ANY(ids);
    ELSIF TG_ARGV[1] = 'referral' THEN
        SELECT array_agg(c.team_id) INTO teams
        FROM referrals_referral r JOIN referrals_client c ON c.id = r.client_id
        WHERE r.id = ANY(ids);
    ELSIF TG_ARGV[1] = 'user' THEN
        SELECT array_agg(team_id) INTO teams FROM accounts_user WHERE id = ANY(ids);
    ELSIF TG_ARGV[1] = 'patient' THEN
        SELECT array_agg(team_id) INTO teams FROM referrals_client
        WHERE patient_id = ANY(ids);
    END IF;
    -- In the row of the team that this transaction's id names (see SHARDS in
    -- apps/referrals/team_changes.py), the same for all its writes; in team
    -- order, so that two writers never wait for each other in a circle.
    INSERT INTO referrals_teamchangeshard AS counted (team_id, shard, changes)
    SELECT DISTINCT team, (txid_current() % {shards})::smallint, 1
    FROM unnest(teams) AS team
    WHERE team IS NOT NULL ORDER BY team
    ON CONFLICT (team_id, shard) DO UPDATE SET changes = counted.changes + 1;
    RETURN NULL;
END;
$$;
"""


def function_sql() -> str:
    """The trigger's function (migration 0009 holds a frozen copy: a change here
    needs a new migration that installs it again)."""
    return FUNCTION_SQL.format(shards=SHARDS)


def triggers_sql() -> str:
    """The triggers calling it on every counted table (frozen in migration 0008)."""
    return "\n".join(
        f"CREATE TRIGGER carenav_count_team_change AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION "
        f"carenav_count_team_change('{column}', '{names}');"
        for table, (column, names) in COUNTED_TABLES.items()
    )


def install_sql() -> str:
    return function_sql() + triggers_sql()


def remove_sql() -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS carenav_count_team_change ON {table};"
        for table in COUNTED_TABLES
    ]
    return "\n".join(drops) + "\nDROP FUNCTION IF EXISTS carenav_count_team_change();"
