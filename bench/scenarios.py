"""The pages the load test measures (bench/run.py), and their targets."""

from dataclasses import dataclass, field

# Services in the data set the pages are measured on (bench/environment.py builds it).
SERVICES = 100_000


# Targets (docs: issue 9): queries per page, share of the bare view's throughput.
MAX_QUERIES = 10
# Shares of the bare view's throughput by kind of page. Reports (issue: outcome
# reports) are held to their p95 only: they aggregate a team's referrals.
SHARE = {"public": 0.50, "search": 0.10, "signed-in": 0.20}
P95_MS = {"search": 100, "dashboard": 150, "report": 300}


@dataclass
class Scenario:
    name: str
    label: str
    kind: str  # ceiling, public, search, signed-in, report
    url_name: str
    args: list = field(default_factory=list)
    queries: list[str] = field(default_factory=lambda: [""])
    who: str = "anonymous"  # anonymous, patient, caseworker, supervisor
    method: str = "GET"
    expect: int = 200
    p95_target: str = ""
    # Search scenarios: a function of bench/search_mix.py giving thousands of
    # different query strings, walked so that none repeats during a run.
    rotate: str = ""
    # Filled in while running:
    paths: list[str] = field(default_factory=list)
    skipped: str = ""
    sql_miss: int | None = None  # queries, transaction control not counted
    sql_hit: int | None = None
    sql_transaction: int = 0  # BEGIN, COMMIT, SAVEPOINT, RELEASE on a miss
    result: dict = field(default_factory=dict)
    results: list[dict] = field(default_factory=list)
    counted_referral: tuple | None = None
    cursor: int = 0  # the next unused entry of a rotating list


# Different searches per scenario: more than one run's requests, so none repeats.
ROTATING_SEARCHES = 20_000


def scenarios() -> list[Scenario]:
    return [
        Scenario("bare", "bare Django view (ceiling)", "ceiling", "bench_bare"),
        Scenario("home", "home page", "public", "core:home"),
        Scenario("disease_list", "disease index", "public", "diseases:disease_list"),
        Scenario(
            "disease", "disease overview", "public", "diseases:disease_detail", ["als"]
        ),
        Scenario("article", "article", "public", "diseases:article_detail"),
        Scenario(
            "comparison",
            "comparison",
            "public",
            "diseases:comparison_detail",
            ["als-vs-ms"],
        ),
        Scenario("glossary", "glossary", "public", "diseases:glossary"),
        Scenario(
            "checklist_template",
            "checklist template",
            "public",
            "checklists:stage_list",
            ["als"],
        ),
        Scenario("service", "directory service", "public", "directory:service_detail"),
        Scenario(
            "organization",
            "directory organisation",
            "public",
            "directory:organization_detail",
        ),
        Scenario(
            "search_keyword",
            "directory search: keywords, typos (rotating)",
            "search",
            "directory:service_list",
            rotate="keyword_searches",
            p95_target="search",
        ),
        Scenario(
            "search_zip",
            "directory search: ZIP and radius (rotating)",
            "search",
            "directory:service_list",
            rotate="zip_searches",
            p95_target="search",
        ),
        Scenario(
            "search_filters",
            "directory search: words, ZIP, filters (rotating)",
            "search",
            "directory:service_list",
            rotate="filtered_searches",
            p95_target="search",
        ),
        Scenario(
            "search_mix",
            "directory search: all of the above in turn (rotating)",
            "search",
            "directory:service_list",
            rotate="mixed_searches",
            p95_target="search",
        ),
        Scenario(
            "my_checklist",
            "patient's checklist",
            "signed-in",
            "checklists:my_checklist",
            who="patient",
        ),
        Scenario(
            "dashboard",
            "caseworker dashboard (400 referrals)",
            "signed-in",
            "referrals:dashboard",
            who="caseworker",
            p95_target="dashboard",
        ),
        Scenario(
            "worklist",
            "referral worklist (400 referrals)",
            "signed-in",
            "referrals:referral_list",
            queries=["", "status=open&sort=-updated", "attention=yes", "page=3"],
            who="caseworker",
        ),
        Scenario(
            "client",
            "caseworker's client page",
            "signed-in",
            "referrals:client_detail",
            who="caseworker",
        ),
        Scenario(
            "report",
            "supervisor's outcome report (the team's last 12 months)",
            "report",
            "referrals:referral_report",
            who="supervisor",
            p95_target="report",
        ),
        Scenario(
            "status_change",
            "referral status change (POST)",
            "signed-in",
            "referrals:referral_change_status",
            who="caseworker",
            method="POST",
            expect=303,
        ),
    ]


def rotating_searches(name: str) -> list[str]:
    from apps.directory.models import TaxonomyTerm
    from bench import search_mix

    make = getattr(search_mix, name)
    if name in ("filtered_searches", "mixed_searches"):
        codes = list(TaxonomyTerm.objects.values_list("code", flat=True))
        return make(ROTATING_SEARCHES, codes)
    return make(ROTATING_SEARCHES)
