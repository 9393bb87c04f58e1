"""Two first uses of a company's signing identity at once, on PostgreSQL (see `invoisx.tests.races`)."""

from companies.models import Company
from invoisx.tests.races import Race, postgresql  # noqa: F401
from signing import services
from signing.models import EnvelopeKey, SigningCertificate
from signing.services import signing_identity_ensure


def test_two_first_uses_at_once_make_one_identity(postgresql, monkeypatch):  # noqa: F811
    company = Company.objects.create(name="Racing Ltd")
    # Its creation committed and made an identity: take it away, as for a company older than signing.
    SigningCertificate.objects.filter(company=company).delete()
    EnvelopeKey.objects.filter(company=company).delete()
    race = Race(monkeypatch, services, "_certificate_generate")  # made, not yet committed

    first, second = race.run(
        lambda: signing_identity_ensure(company=company), lambda: signing_identity_ensure(company=company)
    )

    assert race.second_waited_for_lock
    assert first == second
    assert SigningCertificate.objects.filter(company=company).count() == 1
    assert EnvelopeKey.objects.filter(company=company).count() == 1
