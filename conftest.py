import pytest


@pytest.fixture(autouse=True)
def _no_taxonomy_copy_from_earlier_tests():
    """Workers keep what searches read of the taxonomy until a term changes
    (apps/directory/taxonomy.py); a test's terms are rolled back after it without
    any signal, so no test may see a copy built from another test's terms."""
    from apps.directory.taxonomy import forget_local_copies

    forget_local_copies()
