"""The DHIS2 mapping is kept by administrators in the admin (saves audited)."""

from django.contrib import admin

from ocrotire.analytics.models import Dhis2DataElement, Dhis2OrgUnit
from ocrotire.core.admin import AuditedAdmin


@admin.register(Dhis2OrgUnit)
class Dhis2OrgUnitAdmin(AuditedAdmin):
    list_display = ["unit", "org_unit"]
    search_fields = ["unit__code", "unit__name", "org_unit"]
    raw_id_fields = ["unit"]


@admin.register(Dhis2DataElement)
class Dhis2DataElementAdmin(AuditedAdmin):
    list_display = ["indicator", "data_element", "category_option_combo", "attribute_option_combo"]
    search_fields = ["indicator", "data_element"]
