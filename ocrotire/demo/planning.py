"""Demo plan: the Chișinău strategy's action plan of seed 002, imported as it stands from the
project's source documents when they are beside the clone; the four donor projects of the other
source documents. Runs once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from ocrotire.accounts.models import Institution, User
from ocrotire.geo.models import Unit
from ocrotire.planning.models import PlanItem, Project, Strategy
from ocrotire.planning.parsing import parse_action_plan
from ocrotire.planning.services import ResultInput, plan_import, project_create
from ocrotire.providers.models import ServicePoint

ACTION_PLAN_SEED = "002_*.txt"


def action_plan_seed() -> Path | None:
    """The seed action plan's file, or None when the source documents are not here."""
    folder = Path(settings.OCROTIRE_SEEDS_DIR)
    return next(iter(sorted(folder.glob(ACTION_PLAN_SEED))), None) if folder.is_dir() else None


def planning_demo_load(users: dict[str, User]) -> dict[str, int]:
    if Strategy.objects.exists():
        return {"plans_imported": 0}
    seed = action_plan_seed()
    if seed is None:
        return {"plans_imported": 0}
    plan_import(
        actor=users["planner"],
        plan=parse_action_plan(seed.read_text(encoding="utf-8")),
        unit=Unit.objects.get(code="MD-CU"),
        source_name=seed.name,
    )
    return {"plans_imported": 1}


def _d(value: str) -> Decimal:
    return Decimal(value)


def projects_demo_load(users: dict[str, User]) -> dict[str, int]:
    """The four donor projects of the source documents (seeds 000, 001, 003, 004): their period,
    cost, donors, implementers, target groups and results as the documents state them, linked
    to the demo's services they developed. Runs once."""
    if Project.objects.exists():
        return {"projects_created": 0}
    planner = users["planner"]
    admin = users["admin"]
    institutions = {i.abbreviation: i for i in Institution.objects.exclude(abbreviation="")}
    md_points = list(ServicePoint.objects.filter(unit__country="MD"))
    kg_points = list(ServicePoint.objects.filter(unit__country="KG", closed_on__isnull=True))
    strategy = Strategy.objects.order_by("id").first()
    plan_rows = (
        list(PlanItem.objects.filter(strategy=strategy, code__in=["1.2.1.3", "1.2.2.4"]))
        if strategy
        else []
    )
    R = ResultInput
    project_create(
        actor=planner,
        name="Consolidarea Sistemului de Protecție a Copilului, inclusiv a Serviciilor Sociale "
        "din municipiul Chișinău",
        unit=Unit.objects.get(code="MD-CU"),
        starts_on=date(2022, 7, 1),
        ends_on=date(2024, 12, 31),
        donors="UNICEF Moldova",
        implementers=[i for k in ("DGPDC", "UNICEF") if (i := institutions.get(k))],
        target_groups="Copii și familii în situații de risc din municipiul Chișinău, inclusiv "
        "copii refugiați din Ucraina",
        results=[
            R("Tipuri de servicii sociale extinse", "servicii", _d("7"), _d("7")),
            R("Asistenți parentali profesioniști recrutați", "asistenți", None, _d("7")),
            R("Copii plasați la asistenți parentali profesioniști", "copii", None, _d("13")),
            R("Tineri în locuința socială asistată", "tineri", None, _d("22")),
            R("Copii în serviciul de zi 4 luni – 3 ani", "copii", None, _d("54")),
            R(
                "Cupluri mamă–copil asistate în centrul maternal (3 luni)",
                "cupluri",
                _d("7"),
                _d("5"),
            ),
            R("Copii în centrul de zi pentru copii în situații de risc", "copii", None, _d("110")),
            R("Copii în situație de stradă asistați în an", "copii", None, _d("100")),
        ],
        services=md_points,
        items=plan_rows,
        source_name="000",
    )
    project_create(
        actor=admin,
        name="Mediu familial favorabil pentru copiii din Republica Kârgâză",
        unit=Unit.objects.get(code="KG-C"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2021, 6, 25),
        cost=_d("677737"),
        currency="EUR",
        donors="Uniunea Europeană",
        implementers=[i for k in ("P4EC",) if (i := institutions.get(k))],
        implementers_text="Parteneriate pentru fiecare copil; Fundația Obștească „Liga "
        "Apărătorilor Drepturilor Copilului”",
        target_groups="Copii vulnerabili din Republica Kârgâză; copii din instituții rezidențiale "
        "și familii cu copii în risc de instituționalizare (regiunea Çüy)",
        results=[
            R(
                "Copii vulnerabili cu șanse sporite de a trăi într-un mediu familial",
                "copii",
                _d("40000"),
            ),
            R("Copii dezinstituționalizați", "copii", _d("220"), _d("220")),
            R("Instituții rezidențiale reorganizate", "instituții", _d("3"), _d("3")),
        ],
        services=kg_points,
        source_name="001",
    )
    project_create(
        actor=admin,
        name="Мінімальний пакет інтегрованих соціальних послуг для сімей з дітьми",
        unit=Unit.objects.get(code="UA-74-CHE-CHEH"),
        starts_on=date(2024, 1, 1),
        ends_on=date(2025, 8, 31),
        donors="BMZ через KfW",
        implementers=[i for k in ("ЧМЦСС", "ССД Чернігів") if (i := institutions.get(k))],
        implementers_text="UNICEF Ukraine; Консорціум: Українська мережа за права дитини, СОС "
        "Дитячі Містечка Україна, ГО «Соціальна Синергія», Українська освітня платформа",
        target_groups="Сім'ї з дітьми Чернігівської міської територіальної громади",
        results=[
            R("Засідання робочої групи", "засідань", None, _d("10")),
            R("Тренінгові заняття", "занять", None, _d("25")),
            R("Локальні тренінги", "тренінгів", None, _d("9")),
            R("Вебінари, супервізії та консультації", "заходів", None, _d("30")),
            R("Технічні засоби для міського центру соціальних служб", "грн", None, _d("157864")),
            R("Центр раннього втручання облаштовано", "грн", None, _d("297400")),
            R("Сертифікати для домогосподарств (по 15 000 грн)", "сертифікатів", _d("50")),
            R("Нові соціальні послуги запроваджено", "послуги", None, _d("2")),
        ],
        source_name="003",
    )
    project_create(
        actor=admin,
        name="Servicii sociale de bază la nivel comunitar pentru copii (8 comune din 8 județe)",
        unit=Unit.objects.get(code="RO"),
        donors="",
        target_groups="Copii și familii din comunități rurale",
        results=[
            R("Copii cu riscuri reduse de violență și separare de familie", "copii", _d("12000")),
            R("Copii cu mame minore", "copii", _d("100"), computation="screened_minor_mother"),
            R(
                "Copii din familii cu un singur părinte",
                "copii",
                _d("1500"),
                computation="screened_single_parent",
            ),
            R(
                "Copii din gospodării sărace și suprapopulate",
                "copii",
                _d("3000"),
                computation="screened_poor_overcrowded",
            ),
            R(
                "Copii cu părinți migranți",
                "copii",
                _d("5000"),
                computation="screened_migrant_parents",
            ),
            R(
                "Copii fără asigurare medicală sau neînscriși la medicul de familie",
                "copii",
                _d("2000"),
                computation="screened_no_health_cover",
            ),
            R("Adulți neînregistrați la medici de familie (indirect)", "adulți", _d("15000")),
            R(
                "Copii identificați fără acte de identitate",
                "copii",
                _d("200"),
                computation="screened_no_identity_documents",
            ),
            R("Persoane cu acces la servicii de prevenire", "persoane", _d("18000")),
            R("Persoane informate despre drepturile copilului", "persoane", _d("150000")),
        ],
        source_name="004",
    )
    return {"projects_created": 4}
