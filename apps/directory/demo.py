"""Demo directory: the care-service taxonomy and about 40 fictional services."""

from apps.accounts.models import User

from .models import SavedService, Service
from .search import refresh_search_index

FIXTURES = ["taxonomy.json", "directory_demo.json"]

# Services the demo patient has already saved, so /my/saved/ has something to show.
DEMO_SAVED = {
    "patient1@example.org": [
        "Harbor City ALS Clinic (example)",
        "Harbor City Equipment Loan Closet (example)",
    ],
}


def seed(*, stdout) -> None:
    # loaddata writes rows as they are, so the search vectors are built here.
    count = refresh_search_index()
    for email, names in DEMO_SAVED.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        for service in Service.objects.filter(name__in=names):
            SavedService.objects.get_or_create(user=user, service=service)
    stdout.write(f"  directory: {count} services in the search index")
