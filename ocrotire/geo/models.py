"""Administrative units as a tree with a materialised path, so that a subtree is one indexed scan."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "/"


class UnitLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    MUNICIPALITY = "municipality", _("Municipality")
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    SECTOR = "sector", _("Sector")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree(self, *units: Unit) -> UnitQuerySet:
        """The given units and all their descendants."""
        if not units:
            return self.none()
        condition = Q()
        for unit in units:
            condition |= Q(path__startswith=unit.path)
        return self.filter(condition)


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # "MD/MD-CU/MD-CU-BOT/": the codes from the root down; a prefix match selects a subtree.
    path = models.CharField(max_length=400, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    iso_code = models.CharField(_("ISO 3166 code"), max_length=10, blank=True)
    name = models.CharField(_("official name"), max_length=200)
    is_urban = models.BooleanField(_("urban"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL answer LIKE 'prefix%' from the index in any
            # collation; other databases ignore the operator class.
            models.Index(
                fields=["path"], name="geo_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["country", "level"], name="geo_unit_country_level"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(code__contains="/"), name="geo_unit_code_no_slash"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        """The name in the active language where the pack gives one, else the official name."""
        language = (language or get_language() or "ro")[:2]
        cache = getattr(self, "_prefetched_objects_cache", {})
        names = cache.get("names")
        if names is None:
            names = self.names.all()
        for row in names:
            if row.language == language:
                return row.name
        return self.name

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split(PATH_SEPARATOR) if code]


class UnitName(models.Model):
    """A unit's name in one UI language (data in several languages lives in rows, not .po files)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(max_length=8)
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "language"], name="geo_unitname_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.name}"
