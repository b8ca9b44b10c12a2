"""REST endpoints of the strategy's plan: /plans/ (list, import), /plans/{id}/ (the tree),
/plans/{id}/export.xlsx, /plans/{id}/issues/, progress of a sub-action, and /indicators/ with
their targets and values (entered, or computed from live data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ocrotire.accounts.drf import IsMember
from ocrotire.accounts.permissions import acting_user
from ocrotire.api.errors import error_body
from ocrotire.api.idempotency import idempotent
from ocrotire.api.parsers import BoundedJSONParser
from ocrotire.core.bounds import validate_record_date
from ocrotire.core.pdf import PdfUnavailable
from ocrotire.geo.models import Unit
from ocrotire.planning import excel, services
from ocrotire.planning.computations import COMPUTATIONS
from ocrotire.planning.models import Comparator, Indicator, ProgressStatus, Project, Strategy
from ocrotire.planning.parsing import parse_action_plan
from ocrotire.planning.pdf import plan_pdf
from ocrotire.planning.selectors import (
    Node,
    indicator_get,
    indicator_list,
    indicator_period,
    indicator_years,
    item_get,
    open_issues,
    plan_tree,
    project_list,
    result_achieved,
    strategy_get,
    strategy_list,
)

MAX_UPLOAD = 10 * 1024 * 1024
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


def _year_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1990, max_value=2100, **kwargs)


def money(value: Decimal | int | None) -> str | None:
    """Amounts and counts as decimal strings with two places, as DRF writes decimals."""
    return None if value is None else f"{Decimal(value):.2f}"


def strategy_row(strategy: Strategy) -> dict[str, Any]:
    return {
        "id": strategy.pk,
        "name": strategy.name,
        "country": strategy.country,
        "unit": strategy.unit.code,
        "period_start": strategy.period_start,
        "period_end": strategy.period_end,
        "approving_decision": strategy.approving_decision,
        "document_date": strategy.document_date,
        "source_name": strategy.source_name,
        "version": strategy.version,
    }


def _institutions(manager: Any) -> list[dict[str, Any]]:
    return [{"id": i.pk, "abbreviation": i.abbreviation, "name": i.name} for i in manager.all()]


def node_row(node: Node) -> dict[str, Any]:
    item = node.item
    row: dict[str, Any] = {
        "id": item.pk,
        "level": item.level,
        "code": item.code,
        "title": item.title,
        "note": item.note,
        "indicators": [
            {
                "id": i.pk,
                "code": i.code,
                "kind": i.kind,
                "text": i.text,
                "unit": i.unit,
                "computation": i.computation,
                "targets": [
                    {"year": t.year, "value": money(t.value), "comparator": t.comparator}
                    for t in i.targets.all()
                ],
            }
            for i in item.indicators.all()
        ],
        "money": {
            **{source: money(amount) for source, amount in node.money.items()},
            "total": money(node.total),
        },
        "progress": node.progress,
    }
    if item.level == "subaction":
        row.update(
            {
                "deadline": {
                    "text": item.deadline_text,
                    "kind": item.deadline_kind,
                    "start_year": item.start_year,
                    "end_year": item.end_year,
                    "times_per_year": item.times_per_year,
                },
                "responsible": _institutions(item.responsible),
                "responsible_text": item.responsible_text,
                "partners": _institutions(item.partners),
                "partners_text": item.partners_text,
                "result_text": item.result_text,
                "funding": [
                    {
                        "source": f.source,
                        "amount": money(f.amount),
                        "currency": f.currency,
                        "text": f.text,
                    }
                    for f in item.funding.all()
                ],
                "cross_refs": item.cross_refs,
                "status": node.status,
                "version": item.version,
            }
        )
    row["children"] = [node_row(child) for child in node.children]
    return row


def issue_rows(strategy: Strategy) -> list[dict[str, Any]]:
    return [
        {
            "id": issue.pk,
            "location": issue.location,
            "column": issue.column,
            "text": issue.text,
            "problem": issue.problem,
            "message": issue.get_problem_display(),
        }
        for issue in open_issues(strategy)
    ]


class PlanListApi(GenericAPIView[Strategy]):
    permission_classes = [IsMember]

    @extend_schema(operation_id="v1_plans_list", responses={200: dict})
    def get(self, request: Request) -> Response:
        qs = strategy_list(user=acting_user(request))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([strategy_row(s) for s in page or []])


class PlanImportApi(GenericAPIView[Strategy]):
    """Import an action plan: the text of its Word table (.txt) or the plan's Excel workbook
    (.xlsx, the export's layout). Answers with the new strategy and what could not be read."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]

    class ImportSerializer(serializers.Serializer[Any]):
        file = serializers.FileField()
        unit = serializers.CharField(max_length=40, help_text="Code of the strategy's territory")
        name = serializers.CharField(max_length=500, required=False, allow_blank=True)
        period_start = _year_field(required=False)
        period_end = _year_field(required=False)

    serializer_class = ImportSerializer

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        parameters=[IDEMPOTENCY],
        responses={201: dict},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = self.ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        unit = Unit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no unit with this code.")]})
        upload = data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
        raw = upload.read()
        plan = excel.read_plan(raw) if excel.is_workbook(raw) else _text_plan(raw)
        period = None
        if data.get("period_start") and data.get("period_end"):
            period = (data["period_start"], data["period_end"])
        strategy = services.plan_import(
            actor=user,
            plan=plan,
            unit=unit,
            source_name=upload.name or "",
            name=data.get("name", ""),
            period=period,
        )
        return Response(
            {
                **strategy_row(strategy),
                "items": strategy.items.count(),
                "incomplete": plan.incomplete,
                "issues": issue_rows(strategy),
            },
            status=status.HTTP_201_CREATED,
        )


def _text_plan(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": [_("Send the plan as UTF-8 text or as an Excel workbook (.xlsx).")]}
        ) from exc
    return parse_action_plan(text)


class PlanDetailApi(GenericAPIView[Strategy]):
    permission_classes = [IsMember]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="Progress of this year")],
        responses={200: dict},
    )
    def get(self, request: Request, pk: int) -> Response:
        strategy = strategy_get(user=acting_user(request), pk=pk)
        year = _year(request.query_params.get("year"))
        return Response(
            {
                **strategy_row(strategy),
                "year": year,
                "tree": [node_row(n) for n in plan_tree(strategy, year=year)],
                "open_issues": open_issues(strategy).count(),
            }
        )


def _year(value: str | None) -> int | None:
    if not value:
        return None
    try:
        year = int(value)
    except ValueError as exc:
        raise ValidationError({"year": [_("Give a year such as 2024.")]}) from exc
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": [_("Give a year such as 2024.")]})
    return year


class PlanIssuesApi(GenericAPIView[Strategy]):
    permission_classes = [IsMember]

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        strategy = strategy_get(user=acting_user(request), pk=pk)
        return Response({"results": issue_rows(strategy)})


class PlanExportApi(GenericAPIView[Strategy]):
    """The plan as an Excel workbook in its own column layout (1–6, 7-1…7-3, 8, 8-1…8-4)."""

    permission_classes = [IsMember]

    @extend_schema(responses={(200, excel.XLSX): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        strategy = strategy_get(user=acting_user(request), pk=pk)
        response = HttpResponse(excel.write_plan(strategy), content_type=excel.XLSX)
        response["Content-Disposition"] = f'attachment; filename="plan-{strategy.pk}.xlsx"'
        return response


class PlanPdfApi(GenericAPIView[Strategy]):
    """The plan as a PDF, with the progress of a year (`?year=`, this year by default)."""

    permission_classes = [IsMember]

    @extend_schema(
        parameters=[OpenApiParameter("year", int)], responses={(200, "application/pdf"): bytes}
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        strategy = strategy_get(user=acting_user(request), pk=pk)
        year = _year(request.query_params.get("year")) or timezone.localdate().year
        year = min(max(year, strategy.period_start), strategy.period_end)
        try:
            document = plan_pdf(strategy, year)
        except PdfUnavailable:
            return Response(
                error_body("pdf_unavailable", _("This server cannot draw PDF documents.")),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="plan-{strategy.pk}-{year}.pdf"'
        return response


class ProgressApi(GenericAPIView[Strategy]):
    """Where a sub-action stands in a year (its responsible institutions, or a planner)."""

    permission_classes = [IsMember]

    class ProgressSerializer(serializers.Serializer[Any]):
        year = _year_field()
        status = serializers.ChoiceField(choices=ProgressStatus.choices)
        comment = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        evidence = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        version = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**31 - 1,
            help_text="The version you read (0 or absent for a first record); a newer one is a 409",
        )

    serializer_class = ProgressSerializer

    @extend_schema(request=ProgressSerializer, parameters=[IDEMPOTENCY], responses={200: dict})
    @idempotent
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        user = acting_user(request)
        strategy = strategy_get(user=user, pk=pk)
        item = item_get(strategy=strategy, pk=item_pk)
        payload = self.ProgressSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        progress = services.progress_record(
            actor=user,
            item=item,
            year=data["year"],
            status=data["status"],
            comment=data.get("comment", ""),
            evidence=data.get("evidence", ""),
            version=data.get("version"),
        )
        return Response(
            {
                "item": item.pk,
                "code": item.code,
                "year": progress.year,
                "status": progress.status,
                "comment": progress.comment,
                "evidence": progress.evidence,
                "version": progress.version,
            }
        )


def indicator_row(indicator: Indicator, years: list[int]) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "strategy": indicator.strategy_id,
        "item": {"id": indicator.item_id, "code": indicator.item.code},
        "code": indicator.code,
        "kind": indicator.kind,
        "text": indicator.text,
        "unit": indicator.unit,
        "percent": indicator.percent,
        "baseline": money(indicator.baseline),
        "baseline_year": indicator.baseline_year,
        "computation": indicator.computation,
        "targets": [
            {"year": t.year, "value": money(t.value), "comparator": t.comparator}
            for t in indicator.targets.all()
        ],
        "years": [
            {**row, "target": money(row["target"]), "value": money(row["value"])}
            for row in indicator_years(indicator, years)
        ],
        "version": indicator.version,
    }


class IndicatorListApi(GenericAPIView[Indicator]):
    """Indicators with targets and values per year; `computed` values are counted from live
    data when read (see `computations` for the named queries)."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="v1_indicators_list",
        parameters=[
            OpenApiParameter("plan", int, description="A strategy"),
            OpenApiParameter("year", int, description="Only this year's value"),
            OpenApiParameter("code", str, description="An indicator's code"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        plan = request.query_params.get("plan")
        strategy = strategy_get(user=user, pk=plan) if plan else None
        qs = indicator_list(user=user, strategy=strategy)
        code = request.query_params.get("code", "")[:40]
        if code:
            qs = qs.filter(code=code)
        year = _year(request.query_params.get("year"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            [indicator_row(i, [year] if year else indicator_period(i.strategy)) for i in page or []]
        )


class IndicatorDetailApi(GenericAPIView[Indicator]):
    permission_classes = [IsMember]

    class TargetSerializer(serializers.Serializer[Any]):
        year = _year_field(required=False, allow_null=True)
        value = serializers.DecimalField(max_digits=16, decimal_places=2)
        comparator = serializers.ChoiceField(
            choices=Comparator.choices, required=False, default=Comparator.AT_LEAST
        )

    class UpdateSerializer(serializers.Serializer[Any]):
        version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
        computation = serializers.ChoiceField(
            choices=[("", "—"), *[(c.name, c.label) for c in COMPUTATIONS.values()]],
            required=False,
        )
        unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
        baseline = serializers.DecimalField(
            max_digits=16, decimal_places=2, required=False, allow_null=True
        )
        baseline_year = _year_field(required=False, allow_null=True)
        targets = serializers.ListField(required=False, max_length=200)

    serializer_class = UpdateSerializer

    def get(self, request: Request, pk: int) -> Response:
        indicator = indicator_get(user=acting_user(request), pk=pk)
        return Response(indicator_row(indicator, indicator_period(indicator.strategy)))

    @extend_schema(request=UpdateSerializer, responses={200: dict})
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        indicator = indicator_get(user=user, pk=pk)
        payload = self.UpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        targets = None
        if "targets" in data:
            rows = self.TargetSerializer(data=data["targets"], many=True)
            if not rows.is_valid():
                raise ValidationError({"targets": rows.errors})
            targets = [
                (t.get("year"), Decimal(t["value"]), t.get("comparator", Comparator.AT_LEAST))
                for t in rows.validated_data
            ]
        services.indicator_update(
            actor=user,
            indicator=indicator,
            version=data["version"],
            computation=data.get("computation"),
            unit=data.get("unit"),
            baseline=data.get("baseline", services.KEEP),
            baseline_year=data.get("baseline_year", services.KEEP),
            targets=targets,
        )
        fresh = indicator_get(user=user, pk=pk)
        return Response(indicator_row(fresh, indicator_period(fresh.strategy)))


class IndicatorValueApi(GenericAPIView[Indicator]):
    """The value of an indicator for a year, with its evidence (a note, and a file when sent as
    multipart), by a responsible institution."""

    permission_classes = [IsMember]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    class ValueSerializer(serializers.Serializer[Any]):
        year = _year_field()
        value = serializers.DecimalField(max_digits=16, decimal_places=2)
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        file = serializers.FileField(required=False, help_text="Evidence (multipart only)")
        version = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**31 - 1,
            help_text="The version you read (0 or absent for a first value); a newer one is a 409",
        )

    serializer_class = ValueSerializer

    @extend_schema(request=ValueSerializer, parameters=[IDEMPOTENCY], responses={200: dict})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        indicator = indicator_get(user=user, pk=pk)
        payload = self.ValueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with transaction.atomic():
            saved = services.indicator_value_record(
                actor=user,
                indicator=indicator,
                year=data["year"],
                value=data["value"],
                note=data.get("note", ""),
                version=data.get("version"),
            )
            if data.get("file"):
                services.evidence_add(actor=user, upload=data["file"], value=saved)
        fresh = indicator_get(user=user, pk=pk)
        return Response(indicator_row(fresh, [data["year"]]))


def project_row(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "name": project.name,
        "country": project.country,
        "unit": project.unit.code,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "cost": money(project.cost),
        "currency": project.currency,
        "donors": project.donors,
        "implementers": _institutions(project.implementers),
        "implementers_text": project.implementers_text,
        "target_groups": project.target_groups,
        "summary": project.summary,
        "results": [
            {
                "description": r.description,
                "unit": r.unit,
                "planned": money(r.planned),
                "achieved": money(result_achieved(r)),
                "counted_by": r.computation,
            }
            for r in project.results.all()
        ],
        "services": [{"id": p.pk, "name": p.name} for p in project.services.all()],
        "items": [{"id": i.pk, "code": i.code} for i in project.items.all()],
        "source_name": project.source_name,
    }


class ProjectListApi(GenericAPIView[Project]):
    """Donor projects: period, cost and currency, donors, implementers, target groups, planned
    and achieved results, the services and sub-actions they are linked to."""

    permission_classes = [IsMember]

    class ResultSerializer(serializers.Serializer[Any]):
        description = serializers.CharField(max_length=500)
        unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
        planned = serializers.DecimalField(
            max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0
        )
        achieved = serializers.DecimalField(
            max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0
        )
        computation = serializers.CharField(
            max_length=60,
            required=False,
            allow_blank=True,
            help_text="A count that gives `achieved` from live data over the project's territory "
            "and period (households_screened, children_flagged, screened_<group>, "
            "families_served_package, children_reported_by_community, reports_received)",
        )

    class CreateSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=500)
        unit = serializers.CharField(max_length=40)
        starts_on = serializers.DateField(
            required=False, allow_null=True, validators=[validate_record_date]
        )
        ends_on = serializers.DateField(
            required=False, allow_null=True, validators=[validate_record_date]
        )
        cost = serializers.DecimalField(
            max_digits=16, decimal_places=2, required=False, allow_null=True
        )
        currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
        donors = serializers.CharField(max_length=500, required=False, allow_blank=True)
        implementers_text = serializers.CharField(max_length=500, required=False, allow_blank=True)
        target_groups = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        summary = serializers.CharField(max_length=8000, required=False, allow_blank=True)
        results = serializers.ListField(required=False, max_length=200)

    serializer_class = CreateSerializer

    @extend_schema(operation_id="v1_projects_list", responses={200: dict})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(project_list(user=acting_user(request)))
        return self.get_paginated_response([project_row(p) for p in page or []])

    @extend_schema(request=CreateSerializer, parameters=[IDEMPOTENCY], responses={201: dict})
    @idempotent
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        payload = self.CreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        unit = Unit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("There is no unit with this code.")]})
        results = self.ResultSerializer(data=data.get("results", []), many=True)
        if not results.is_valid():
            raise ValidationError({"results": results.errors})
        project = services.project_create(
            actor=user,
            name=data["name"],
            unit=unit,
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            cost=data.get("cost"),
            currency=data.get("currency", ""),
            donors=data.get("donors", ""),
            implementers_text=data.get("implementers_text", ""),
            target_groups=data.get("target_groups", ""),
            summary=data.get("summary", ""),
            results=[services.ResultInput(**r) for r in results.validated_data],
        )
        return Response(project_row(project), status=status.HTTP_201_CREATED)
