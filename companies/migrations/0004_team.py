"""Team: memberships get a public id (mem_…, backfilled), and invitations to join a company."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import invoisx.ids


def backfill_membership_ids(apps, schema_editor):
    Membership = apps.get_model("companies", "Membership")
    for membership in Membership.objects.filter(public_id__isnull=True).only("pk").iterator():
        Membership.objects.filter(pk=membership.pk).update(public_id=invoisx.ids.new_public_id("mem"))


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0003_company_logo"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="public_id",
            field=models.CharField(max_length=40, null=True, editable=False),
        ),
        migrations.RunPython(backfill_membership_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="public_id",
            field=invoisx.ids.PublicIdField(max_length=40, prefix="mem"),
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", invoisx.ids.PublicIdField(max_length=40, prefix="ivt")),
                ("email", models.EmailField(max_length=254)),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("owner", "Owner"),
                            ("admin", "Admin"),
                            ("accountant", "Accountant"),
                            ("viewer", "Viewer"),
                        ],
                        default="viewer",
                        max_length=20,
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("expires_at", models.DateTimeField()),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="invitations", to="companies.company"
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["company", "-created_at"], name="companies_i_company_5e258e_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                        fields=("company", "email"),
                        name="one_open_invitation_per_address",
                    )
                ],
            },
        ),
    ]
