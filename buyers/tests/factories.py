"""factory_boy factories for buyers."""

import factory

from buyers.models import Buyer
from companies.tests.factories import CompanyFactory


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Buyer {n} Sdn Bhd")
    country = "MY"
    email = factory.Sequence(lambda n: f"ap{n}@buyer.example")
