import io

from apps.accounts import demo as accounts_demo
from apps.directory.tests.factories import ServiceFactory
from apps.referrals import demo
from apps.referrals.models import Client, Note, ProgressShare, Referral, ReferralEvent


def _counts():
    return tuple(
        model.objects.count() for model in (Client, Referral, ReferralEvent, Note)
    )


def test_seed_covers_every_status_for_both_caseworkers_and_is_idempotent(db):
    accounts_demo.seed(stdout=io.StringIO())
    ServiceFactory.create_batch(4)
    demo.seed(stdout=io.StringIO())
    first = _counts()
    for email in ("caseworker1@example.org", "caseworker2@example.org"):
        statuses = set(
            Referral.objects.filter(client__caseworker__email=email).values_list(
                "status", flat=True
            )
        )
        assert statuses == set(Referral.Status.values)
    completed = Referral.objects.filter(status="completed").first()
    assert list(completed.events.values_list("to_status", flat=True)) == [
        "draft",
        "sent",
        "accepted",
        "scheduled",
        "completed",
    ]
    linked = Client.objects.get(patient__email="patient1@example.org")
    assert linked.caseworker.email == "caseworker1@example.org"
    # The linked patient shares progress with that caseworker's team only.
    (share,) = ProgressShare.objects.active()
    assert (share.client, share.caseworker) == (linked, linked.caseworker)
    assert Note.objects.filter(is_internal=False).exists()

    demo.seed(stdout=io.StringIO())
    assert _counts() == first


def test_seed_without_referrable_services_adds_nothing(db):
    accounts_demo.seed(stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(stdout=out)
    assert not Client.objects.exists()
    assert "no service accepts referrals" in out.getvalue()
