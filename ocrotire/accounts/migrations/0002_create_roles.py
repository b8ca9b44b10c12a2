"""Every role exists from the start; two-factor sign-in is mandatory for roles that see case data."""

from django.db import migrations

ROLES = {
    # code: sees case data (and so needs two-factor sign-in by default)
    "administrator": True,
    "specialist": True,
    "supervisor": True,
    "head": True,
    "reporter": False,
    "provider": True,
    "planner": False,
    "auditor": True,
    "community_worker": True,
}


def up(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, sensitive in ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"sees_case_data": sensitive, "mfa_required": sensitive}
        )


def down(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_users_roles_institutions")]
    operations = [migrations.RunPython(up, down)]
