"""No door between companies in the Django admin.

A matrix over every model registered on `admin.site`: a staff member of Bob's company, holding every
model permission, tries Alice's rows by every route the admin offers (changelist, raw-id popup,
change, delete, history, autocomplete, actions, foreign keys and inlines of Bob's own rows), over
real HTTP with a logged-in user. A model registered later is in the matrix by construction, and
fails it until it has a row maker below and a company-scoped (or superuser-only) admin.
"""

import datetime
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import django_ratelimit.core
import lxml.html
import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from bank.models import (
    BankAccount,
    BankImportJob,
    BankStatement,
    BankTransaction,
    MatchAllocation,
    PaymentMatch,
    Reconciliation,
)
from buyers.models import Buyer
from buyers.tests.factories import BuyerFactory
from collecting.models import CollectedDocument, CollectorUser, Credential, CustomerSettings, UserToken
from collecting.services import PARAMS_PURPOSE, customer_settings, user_token_issue
from companies.models import Company, Invitation, Membership, Role
from companies.team import invitation_create
from companies.tests.factories import MembershipFactory, UserFactory
from events.models import Event
from events.services import event_record
from idempotency.models import IdempotentRequest
from integrations.models import Connection, Publication
from invoices.models import (
    AllowanceCharge,
    Invoice,
    InvoiceChange,
    InvoiceDelivery,
    InvoiceLine,
    IssuedDocument,
    NumberSeries,
    Supplier,
    SupplierLayout,
)
from invoices.tests.factories import purchase_invoice, sales_invoice
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline, SuperuserOnlyAdmin
from invoisx.encryption import encrypt
from signing.models import EnvelopeKey, SigningCertificate
from tokens.models import ApiToken
from tokens.services import token_issue
from usage.models import UsageDay
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from webhooks.tests.factories import endpoint

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
REGISTERED = list(admin.site._registry.items())
NOT_SHOWN = (302, 403, 404)
WRONG = "not the password"


def label(model: type[models.Model]) -> str:
    return model._meta.label


def url(model: type[models.Model], view: str = "changelist", *args: Any) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def rows_of(company: Company, tag: str) -> dict[type[models.Model], models.Model]:
    """One row of every registered model (and of every inline's model) belonging to `company`."""
    owner = MembershipFactory(company=company, user=UserFactory(username=f"{tag}-owner"), role=Role.OWNER)
    token = token_issue(company=company, name=f"{tag} production", scopes=["buyers:read"]).token
    hook = endpoint(company, description=f"{tag} hook").endpoint
    with transaction.atomic():
        event = event_record(company=company, type="invoice.processed", data={"id": f"inv_{tag}"})
    delivery = Delivery.objects.get(event=event)
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=1, started_at=timezone.now())
    buyer = BuyerFactory.create(company=company, name=f"{tag} customer")
    invoice = sales_invoice(
        company,
        buyer=buyer,
        invoice_number=f"{tag}-S-1",
        line_items=[{"description": f"{tag} consulting", "quantity": Decimal(1), "unit_price": Decimal("1000.00")}],
    )
    bill = purchase_invoice(company, number=f"{tag}-P-1", supplier=f"{tag} supplies")
    supplier = Supplier.objects.get(company=company, name=f"{tag} supplies")
    change = InvoiceChange.objects.create(invoice=invoice, field="notes", old_value="", new_value=f"{tag} note")
    layout = SupplierLayout.objects.create(company=company, supplier=supplier, learned_from=bill)
    account = BankAccount.objects.create(
        company=company, bank_name=f"{tag} bank", account_number=f"{tag}-ACC", currency="EUR"
    )
    statement = BankStatement.objects.create(
        company=company, account=account, file_sha256=uuid.uuid4().hex, format="mt940", currency="EUR"
    )
    line = BankTransaction.objects.create(
        company=company,
        account=account,
        statement=statement,
        date=datetime.date(2026, 3, 1),
        amount=Decimal("1080.00"),
        currency="EUR",
        description=f"{tag} payment",
        checksum=uuid.uuid4().hex,
    )
    line.statements.add(statement)
    import_job = BankImportJob.objects.create(
        company=company, file=f"bank/statements/{tag}.csv", file_name=f"{tag}.csv", file_sha256=uuid.uuid4().hex
    )
    run = Reconciliation.objects.create(company=company, statement=statement, auto_confirm_threshold=0.85)
    match = PaymentMatch.objects.create(
        company=company,
        reconciliation=run,
        transaction=line,
        kind="exact",
        confidence=0.9,
        reason=f"{tag} reason",
        amount=Decimal("1080.00"),
    )
    allocation = MatchAllocation.objects.create(match=match, invoice=invoice, amount=Decimal("1080.00"))
    connection = Connection.objects.create(
        company=company,
        provider="xero",
        external_company_id=f"{tag}-tenant",
        access_token_encrypted="x",
        refresh_token_encrypted="x",
        access_token_expires_at=timezone.now(),
    )
    publication = Publication.objects.create(company=company, invoice=bill, target="xero", claimed_at=timezone.now())
    idempotent = IdempotentRequest.objects.create(
        company=company, key=f"{tag}-key", method="POST", path="/api/v1/buyers", fingerprint="0" * 64
    )
    series = NumberSeries.objects.create(
        company=company, document_type="invoice", name=f"{tag} series", format="S-{seq}"
    )
    issued = IssuedDocument.objects.create(
        invoice=invoice,
        company=company,
        document={},
        digest=uuid.uuid4().hex * 2,
        envelope={},
        pdf=f"issued/{tag}.pdf",
        pdf_sha256=uuid.uuid4().hex * 2,
        cii="<cii/>",
        ubl="<ubl/>",
    )
    allowance = AllowanceCharge.objects.create(
        invoice=invoice, position=1, is_charge=False, amount=Decimal("10.00"), reason=f"{tag} discount"
    )
    sending = InvoiceDelivery.objects.create(invoice=invoice, to=[f"ap@{tag}.example"])
    # Rows as the signing services store them, without the cost of making keys: what matters here is
    # whose they are, and that nothing private shows.
    certificate = SigningCertificate.objects.create(
        company=company,
        certificate_pem="-----BEGIN CERTIFICATE-----",
        private_key_encrypted=f"{tag}-sealed-private-key",
        fingerprint_sha256=uuid.uuid4().hex * 2,
        subject=f"CN={tag} certificate",
        not_valid_before=timezone.now(),
        not_valid_after=timezone.now() + datetime.timedelta(days=365),
        source="generated",
    )
    envelope_key = EnvelopeKey.objects.create(
        company=company,
        kid=str(uuid.uuid4()),
        public_jwk={"kty": "EC"},
        private_jwk_encrypted=f"{tag}-sealed-private-jwk",
        valid_from=timezone.now(),
    )
    collector_user = CollectorUser.objects.create(company=company, remote_id=f"{tag}-remote-user")
    user_token_issue(user=collector_user)
    credential = Credential.objects.create(
        company=company,
        user=collector_user,
        collector="fake_portal",
        params_sealed=encrypt(json.dumps({"login": f"{tag}-login"}), purpose=PARAMS_PURPOSE),
        note=f"{tag} portal login",
        download_from=timezone.now(),
    )
    collected = CollectedDocument.objects.create(
        credential=credential,
        company=company,
        source_key=f"<{tag}-mail@example>/1",
        sha256=uuid.uuid4().hex * 2,
        file_name=f"{tag}-collected.pdf",
        mimetype="application/pdf",
        invoice=bill,
    )
    return {
        User: owner.user,
        Group: Group.objects.create(name=f"{tag} group"),
        Company: company,
        Membership: owner,
        Invitation: invitation_create(
            company=company, email=f"{tag}-invitee@example.com", role=Role.VIEWER, invited_by=None, base_url="http://x/"
        ).invitation,
        ApiToken: token,
        WebhookEndpoint: hook,
        Delivery: delivery,
        DeliveryAttempt: attempt,
        Buyer: buyer,
        Invoice: invoice,
        InvoiceLine: invoice.lines.first(),
        InvoiceChange: change,
        Supplier: supplier,
        SupplierLayout: layout,
        BankAccount: account,
        BankStatement: statement,
        BankImportJob: import_job,
        BankTransaction: line,
        Reconciliation: run,
        PaymentMatch: match,
        MatchAllocation: allocation,
        UsageDay: UsageDay.objects.create(company=company, date=datetime.date(2026, 3, 1), api_calls=3),
        Connection: connection,
        Publication: publication,
        IdempotentRequest: idempotent,
        Event: event,
        NumberSeries: series,
        IssuedDocument: issued,
        AllowanceCharge: allowance,
        InvoiceDelivery: sending,
        SigningCertificate: certificate,
        EnvelopeKey: envelope_key,
        CustomerSettings: customer_settings(company=company),
        CollectorUser: collector_user,
        UserToken: collector_user.tokens.get(),
        Credential: credential,
        CollectedDocument: collected,
    }


@pytest.fixture
def alices(alice) -> dict[type[models.Model], models.Model]:
    return rows_of(alice, "alice")


@pytest.fixture
def bobs(bob) -> dict[type[models.Model], models.Model]:
    return rows_of(bob, "bob")


@pytest.fixture
def bob_staff(bob) -> User:
    """Staff of Bob's company only, holding every model permission there is (but not superuser)."""
    user = UserFactory.create(username="bob-staff", is_staff=True)
    MembershipFactory.create(company=bob, user=user, role=Role.ADMIN)
    user.user_permissions.set(Permission.objects.all())
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


@pytest.fixture
def staff(bob_staff, alices, bobs) -> Client:
    client = Client()
    client.force_login(bob_staff)
    return client


@pytest.fixture
def root(alices, bobs) -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def snapshot(row: models.Model) -> dict[str, Any]:
    return type(row)._default_manager.filter(pk=row.pk).values().get()


def html_form(response: Any) -> dict[str, list[str]]:
    """What a browser submits for the admin form on the page: every successful control's value."""
    page = lxml.html.fromstring(response.content)
    [form] = page.xpath("//form[@id][contains(@id, '_form')]")
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def scoped_models() -> Iterator[Any]:
    for model, model_admin in REGISTERED:
        yield pytest.param(model, model_admin, id=label(model))


# Every registered admin is built for it


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_every_registered_admin_is_company_scoped_or_superuser_only_for_a_reason(model, model_admin):
    if isinstance(model_admin, SuperuserOnlyAdmin):
        assert model_admin.superuser_only_because.strip(), f"{label(model)}: say why it is superuser-only"
    else:
        assert isinstance(model_admin, CompanyScopedAdmin), f"{label(model)}: subclass CompanyScopedAdmin"
    for inline in model_admin.inlines:
        assert issubclass(inline, CompanyScopedInline), f"{inline.__qualname__}: subclass CompanyScopedInline"


def test_every_registered_model_and_inline_has_a_row_in_the_matrix(alice):
    rows = rows_of(alice, "alice")
    for model, model_admin in REGISTERED:
        assert model in rows, f"add a {label(model)} row to rows_of()"
        for inline in model_admin.inlines:
            assert inline.model in rows, f"add a {label(inline.model)} row to rows_of()"


def test_the_log_of_admin_actions_is_not_registered():
    assert LogEntry not in admin.site._registry  # it names objects of every company


def test_the_admin_index_of_staff_of_bob_names_nothing_of_alice(staff, alice, alices):
    operator = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    invoice = alices[Invoice]
    LogEntry.objects.create(
        user=operator,
        content_type=ContentType.objects.get_for_model(Invoice),
        object_id=str(invoice.pk),
        object_repr=str(invoice),
        action_flag=CHANGE,
    )

    response = staff.get("/admin/")

    assert response.status_code == 200
    content = response.content.decode()
    assert str(invoice) not in content  # the operator's recent actions are theirs alone
    assert alice.name not in content
    assert "/admin/auth/group/" not in content


# Lists: the changelist and the raw-id lookup popup (the same view)


@pytest.mark.parametrize("query", ["", "?_to_field=id&_popup=1"], ids=["changelist", "raw-id popup"])
@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_staff_of_bob_see_none_of_alices_rows_in_a_list(staff, alice, alices, bobs, model, model_admin, query):
    response = staff.get(url(model) + query)

    if isinstance(model_admin, SuperuserOnlyAdmin):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert alices[model].pk not in shown
    assert bobs[model].pk in shown
    content = response.content.decode()
    assert str(alices[model]) not in content
    assert alice.name not in content  # not even as a choice of a "By company" filter


@pytest.mark.parametrize(("model", "model_admin"), [p for p in scoped_models() if p.values[1].search_fields])
def test_staff_of_bob_find_none_of_alices_rows_by_searching(staff, alices, bobs, model, model_admin):
    response = staff.get(url(model), {"q": str(alices[model])})

    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert alices[model].pk not in {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_a_superuser_sees_every_companys_rows(root, alices, bobs, model, model_admin):
    response = root.get(url(model))

    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert {alices[model].pk, bobs[model].pk} <= shown


# One row: change, delete, history


@pytest.mark.parametrize("view", ["change", "delete", "history"])
@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_staff_of_bob_cannot_open_alices_row(staff, alices, model, model_admin, view):
    row = alices[model]

    response = staff.get(url(model, view, row.pk))

    assert response.status_code in NOT_SHOWN
    assert str(row) not in response.content.decode()


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_staff_of_bob_cannot_change_alices_row(staff, alices, model, model_admin):
    row = alices[model]
    before = snapshot(row)
    text_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField) and f.editable]

    response = staff.post(url(model, "change", row.pk), dict.fromkeys(text_fields, "changed by bob"))

    assert response.status_code in NOT_SHOWN
    assert snapshot(row) == before


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_staff_of_bob_cannot_delete_alices_row(staff, alices, model, model_admin):
    row = alices[model]

    response = staff.post(url(model, "delete", row.pk), {"post": "yes"})

    assert response.status_code in NOT_SHOWN
    assert model._default_manager.filter(pk=row.pk).exists()


# Actions


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_actions_of_staff_of_bob_on_alices_ids_do_nothing(staff, alices, model, model_admin):
    changelist = staff.get(url(model))
    if changelist.status_code == 403:
        return
    if changelist.context["action_form"] is None:  # a record kept as it is: nothing may change or delete it
        request = changelist.wsgi_request
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        return
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices if name]
    assert actions, "every list that may delete offers at least delete_selected to a user with every permission"
    row = alices[model]
    before = snapshot(row)

    for action in actions:
        staff.post(url(model), {"action": action, "_selected_action": [str(row.pk)], "index": "0", "post": "yes"})

    assert snapshot(row) == before


def test_actions_of_staff_of_bob_still_work_on_bobs_rows(staff, bobs):
    token = bobs[ApiToken]
    # The user deleted is an owner: another keeps the company (the last owner's user is not deleted).
    MembershipFactory(company=bobs[Company], role=Role.OWNER)

    staff.post(url(ApiToken), {"action": "revoke", "_selected_action": [str(token.pk)], "index": "0"})
    staff.post(url(User), {"action": "delete_selected", "_selected_action": [str(bobs[User].pk)], "post": "yes"})

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not User.objects.filter(pk=bobs[User].pk).exists()


# Autocomplete: every foreign key that points at a model with a searchable admin


def autocomplete_routes() -> Iterator[Any]:
    for model, model_admin in REGISTERED:
        if not model_admin.search_fields:
            continue
        for source in [m for m, _ in REGISTERED]:
            for field in source._meta.get_fields():
                if field.concrete and field.is_relation and field.related_model is model:
                    yield pytest.param(model, source, field.name, id=f"{label(source)}.{field.name}")


@pytest.mark.parametrize(("model", "source", "field_name"), autocomplete_routes())
def test_autocomplete_offers_staff_of_bob_none_of_alices_rows(staff, alices, bobs, model, source, field_name):
    response = staff.get(
        "/admin/autocomplete/",
        {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field_name},
    )

    if isinstance(admin.site._registry[model], SuperuserOnlyAdmin):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    offered = {result["id"] for result in response.json()["results"]}
    assert str(alices[model].pk) not in offered
    assert str(bobs[model].pk) in offered


# Foreign keys: Bob's rows may point only at Bob's rows


def choice_fields(form: Any) -> Iterator[tuple[str, type[models.Model]]]:
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and name != form._meta.model._meta.pk.name:
            yield name, queryset.model


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_bobs_rows_cannot_be_pointed_at_alices_rows(staff, alices, bobs, model, model_admin):
    """Bob's row's own form, posted back as a browser would with one foreign key set to Alice's row."""
    page = staff.get(url(model, "change", bobs[model].pk))
    if page.status_code == 403 or "adminform" not in page.context:
        return
    form = page.context["adminform"].form
    for name, target in choice_fields(form):
        assert not form.fields[name].queryset.filter(pk=alices[target].pk).exists(), name
        data = html_form(page)
        data[name] = [str(alices[target].pk)]
        before = snapshot(bobs[model])

        response = staff.post(url(model, "change", bobs[model].pk), data)

        assert response.status_code == 200, f"{name}: {label(target)} of Alice accepted"
        assert set(response.context["adminform"].form.errors) == {name}
        assert str(alices[target]) not in response.content.decode()  # not even as a raw-id label
        assert snapshot(bobs[model]) == before


@pytest.mark.parametrize(("model", "model_admin"), scoped_models())
def test_bob_cannot_add_a_row_that_points_at_alices_rows(staff, alices, model, model_admin):
    page = staff.get(url(model, "add"))
    if page.status_code == 403:
        return
    form = page.context["adminform"].form
    for name, target in choice_fields(form):
        data = html_form(page)
        data[name] = [str(alices[target].pk)]
        count = model._default_manager.count()

        response = staff.post(url(model, "add"), data)

        assert response.status_code == 200, f"{name}: {label(target)} of Alice accepted"
        assert name in response.context["adminform"].form.errors
        assert model._default_manager.count() == count


# Inlines: Bob's parent row cannot take in Alice's children, nor point them at Alice's rows


def inline_forms(page: Any) -> Iterator[tuple[Any, Any]]:
    for inline_formset in page.context["inline_admin_formsets"]:
        for form in inline_formset.formset.forms:
            yield inline_formset.formset, form


@pytest.mark.parametrize(("model", "model_admin"), [p for p in scoped_models() if p.values[1].inlines])
def test_an_inline_of_bobs_row_takes_no_row_of_alice(staff, alices, bobs, model, model_admin):
    page = staff.get(url(model, "change", bobs[model].pk))
    assert page.status_code == 200
    forms = list(inline_forms(page))
    assert forms, "rows_of() gives every inline at least one row"
    for formset, form in forms:
        alices_child, bobs_child = alices[formset.model], form.instance
        before = snapshot(alices_child), snapshot(bobs_child)
        data = html_form(page)
        data[f"{form.prefix}-{formset.model._meta.pk.name}"] = [str(alices_child.pk)]

        staff.post(url(model, "change", bobs[model].pk), data)

        assert (snapshot(alices_child), snapshot(bobs_child)) == before
        for name, target in choice_fields(form):
            if name == formset.fk.name:
                continue
            data = html_form(page)
            data[f"{form.prefix}-{name}"] = [str(alices[target].pk)]

            response = staff.post(url(model, "change", bobs[model].pk), data)

            # A read-only parent refuses the whole post; an editable one shows the inline's error.
            assert response.status_code in (200, 403), f"{form.prefix}-{name}: {label(target)} of Alice accepted"
            assert snapshot(bobs_child) == before[1]
            assert str(alices[target]) not in response.content.decode()


# Users and groups


def test_staff_of_bob_cannot_make_themselves_superuser(staff, bob_staff):
    page = staff.get(url(User, "change", bob_staff.pk))
    data = html_form(page) | {"is_superuser": ["on"], "user_permissions": [str(Permission.objects.all()[0].pk)]}

    staff.post(url(User, "change", bob_staff.pk), data)

    bob_staff.refresh_from_db()
    assert not bob_staff.is_superuser


def test_staff_of_bob_cannot_change_a_user_who_is_also_in_alices_company(staff, alice, bobs):
    shared = bobs[User]
    MembershipFactory(company=alice, user=shared, role=Role.VIEWER)
    password = shared.password

    changed = staff.post(url(User, "password_change", shared.pk), {"password1": "x9!Kq2#pL", "password2": "x9!Kq2#pL"})
    deleted = staff.post(url(User, "delete", shared.pk), {"post": "yes"})

    assert changed.status_code == 403
    assert deleted.status_code == 403
    shared.refresh_from_db()
    assert shared.password == password


def test_staff_of_bob_cannot_change_a_superuser(staff, bob):
    operator = UserFactory.create(username="op", is_superuser=True, is_staff=True)
    MembershipFactory.create(company=bob, user=operator)

    response = staff.post(url(User, "password_change", operator.pk), {"password1": "x9!Kq2#pL", "password2": "x9!"})

    assert response.status_code == 403


def test_staff_of_bob_cannot_change_the_password_of_alices_users(staff, alices):
    response = staff.post(
        url(User, "password_change", alices[User].pk), {"password1": "x9!Kq2#pL", "password2": "x9!Kq2#pL"}
    )

    assert response.status_code in NOT_SHOWN
    assert alices[User].password == User.objects.get(pk=alices[User].pk).password


def test_staff_of_bob_may_change_a_user_of_bobs_company(staff, bobs):
    page = staff.get(url(User, "change", bobs[User].pk))
    data = html_form(page) | {"first_name": ["Robert"]}

    response = staff.post(url(User, "change", bobs[User].pk), data)

    assert response.status_code == 302
    assert User.objects.get(pk=bobs[User].pk).first_name == "Robert"


# Login


class FrozenClock:
    """django-ratelimit counts in windows of wall-clock time; a test must not straddle two."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def frozen_ratelimit_clock(monkeypatch) -> FrozenClock:
    clock = FrozenClock()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=clock.time))
    return clock


def attempt(path: str, username: str, password: str = WRONG) -> int:
    return Client().post(path, {"username": username, "password": password}).status_code


def test_the_admin_login_is_refused_after_ten_attempts_at_one_username_a_minute(frozen_ratelimit_clock, bob_staff):
    assert [attempt("/admin/login/", "bob-staff") for _ in range(10)] == [200] * 10

    assert attempt("/admin/login/", "bob-staff", PASSWORD) == 403

    frozen_ratelimit_clock.now += 60
    assert attempt("/admin/login/", "bob-staff", PASSWORD) == 302


def test_the_admin_login_is_refused_after_twenty_attempts_from_one_address_a_minute(frozen_ratelimit_clock, db):
    assert [attempt("/admin/login/", f"guess{n}") for n in range(20)] == [200] * 20

    assert attempt("/admin/login/", "someone-else") == 403


def test_the_admin_and_dashboard_logins_share_one_budget(frozen_ratelimit_clock, bob_staff):
    for n in range(10):
        attempt("/login/" if n % 2 else "/admin/login/", "bob-staff")

    assert attempt("/admin/login/", "bob-staff", PASSWORD) == 403
    assert attempt("/login/", "bob-staff", PASSWORD) == 403


def test_the_admin_login_page_is_not_throttled(frozen_ratelimit_clock, db):
    for _ in range(30):
        assert Client().get("/admin/login/").status_code == 200
