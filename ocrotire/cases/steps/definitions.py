"""Every step of a case, declared once: its fields, the service it calls, its page title and
message, its API address. The page form and the API input serializer of each are built from
these declarations (steps/registry.py); the case's workflow (pack data, `cases.pipeline`) permits each
step by its code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution, User
from ocrotire.cases import referrals, services
from ocrotire.cases.events import CaseEvent
from ocrotire.cases.forms import UserChoiceField
from ocrotire.cases.models import (
    AssessmentKind,
    Case,
    ClosureReason,
    Confirmation,
    MeetingKind,
    ProtectiveActionKind,
    ReviewOutcome,
    RiskLevel,
    VisitKind,
)
from ocrotire.cases.pipeline import initial_pending
from ocrotire.cases.selectors import (
    case_managers_for,
    case_removals,
    referral_institutions,
    team_candidate,
    transfer_units,
)
from ocrotire.cases.steps.fields import (
    NO_DEFAULT,
    Answers,
    Choice,
    Codes,
    Day,
    Decision,
    Field,
    Flag,
    Moment,
    Offered,
    Pick,
    PickByName,
    PlanActions,
    Removal,
    Text,
)
from ocrotire.cases.steps.registry import Api, Perform, Step, register
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit


def _service(function: Callable[..., Case]) -> Perform:
    """A step whose values are its service's keyword arguments."""

    def perform(actor: User, case: Case, version: int, values: dict[str, Any]) -> Case:
        return function(actor=actor, case=case, version=version, **values)

    return perform


def _assessment(actor: User, case: Case, version: int, values: dict[str, Any]) -> Case:
    values = dict(values)
    kind = values.pop("kind")
    return services.case_assessment_record(
        actor=actor, case=case, version=version, kind=kind, data=services.AssessmentInput(**values)
    )


def _active_user(pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()


def _active_unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code, active=True).first()


def _active_institution(pk: int) -> Institution | None:
    return Institution.objects.filter(pk=pk, active=True).first()


NO_USER = _("There is no active user with this number.")


def _target_or_service(data: Any) -> dict[str, Any]:
    if referrals.target_of(data) is None and not (data.get("service") or "").strip():
        return {"service": _("Choose a service point or describe the service.")}
    return {}


# The API takes both assessments at one address, the kind in the body; the page has one step
# each, the kind fixed by the step.
ASSESSMENTS = Api("assessments", "AssessmentInput")


# The country's official form of the step, its questions after the step's own fields.
ANSWERS_HELP = (
    "The answers of the country's form of this step, by section and question: "
    '{"safety": {"risk_score": 2}}. GET /api/v1/forms/ lists each form\'s questions and its '
    "JSON Schema; a wrong answer is a 400 naming it (answers.safety.risk_score). Left out, "
    "the record keeps no form."
)


def _answers(step: str) -> Answers:
    return Answers("answers", form_step=step, api_help=ANSWERS_HELP)


def _assessment_fields(*, emergency_on_page: bool, step: str) -> tuple[Field, ...]:
    return (
        Choice("kind", choices=AssessmentKind.choices, on_page=False),
        Text("findings", _("Findings"), max_length=20000, rows=8),
        Choice("risk_level", _("Risk level"), choices=RiskLevel.choices),
        Choice("confirmed", _("Is the suspicion confirmed?"), choices=Confirmation.choices),
        Flag("protection_interview_done", _("A protection interview with the child was held")),
        Text(
            "recommendation",
            _("Recommendation"),
            max_length=4000,
            required=False,
            rows=3,
            api_default=NO_DEFAULT,
        ),
        Codes(
            "needs",
            _("Service needs"),
            help_text=_("Codes of the service catalogue, separated by commas."),
        ),
        Moment("completed_at", _("Completed at")),
        Flag(
            "emergency",
            _("The child is in danger: start emergency protection"),
            api_help="Initial assessment: the child is in danger",
            on_page=emergency_on_page,
        ),
        _answers(step),
    )


# A supervisor approves, or refuses with a note (the plan, the closure).
DECISION: tuple[Field, ...] = (
    Decision(),
    Text(
        "note",
        _("Note"),
        max_length=4000,
        required=False,
        rows=3,
        help_text=_("Required when you refuse."),
        api_help="Required to refuse",
    ),
)


register(
    Step(
        "initial_assessment",
        _("Initial assessment"),
        _("The initial assessment was recorded."),
        fields=_assessment_fields(emergency_on_page=True, step="initial_assessment"),
        perform=_assessment,
        api=ASSESSMENTS,
        page_values={"kind": AssessmentKind.INITIAL},
        fires=(CaseEvent.INITIAL_ASSESSMENT_DONE,),
        # During emergency protection too, until it is recorded.
        offered=initial_pending,
    ),
    Step(
        "complex_assessment",
        _("Complex assessment"),
        _("The complex assessment was recorded."),
        fields=_assessment_fields(emergency_on_page=False, step="complex_assessment"),
        perform=_assessment,
        api=ASSESSMENTS,
        page_values={"kind": AssessmentKind.COMPLEX},
        fires=(CaseEvent.COMPLEX_ASSESSMENT_DONE,),
    ),
    Step(
        "protective_action",
        _("Urgent protection measure"),
        _("The urgent measure was recorded."),
        fields=(
            Choice("kind", _("Measure"), choices=ProtectiveActionKind.choices),
            Moment("decided_at", _("Decided at")),
            Text("description", _("Description"), max_length=4000, required=False, rows=3),
        ),
        perform=_service(services.case_protective_action_record),
        api=Api("protective-actions", "ProtectiveActionInput"),
        fires=(CaseEvent.CHILD_REMOVED, CaseEvent.PROTECTIVE_ACTION),
        presets={CaseEvent.CHILD_REMOVED: {"kind": ProtectiveActionKind.REMOVAL}},
        group="protection",
    ),
    Step(
        "protective_step",
        _("Prosecutor notice, court filing or the child's return"),
        _("The step of the removal was recorded."),
        fields=(
            Removal("action_id", _("Removal"), page_name="action", removals=case_removals),
            Choice(
                "step",
                _("Step"),
                choices=[
                    ("prosecutor_notified", _("The prosecutor was notified")),
                    ("court_filed", _("The court action was filed")),
                    ("child_returned", _("The child was returned to the family")),
                ],
                api_choices=[
                    ("prosecutor_notified", "prosecutor_notified"),
                    ("court_filed", "court_filed"),
                    ("child_returned", "child_returned"),
                ],
            ),
            Moment("at", _("When")),
        ),
        perform=_service(services.case_protective_step_record),
        api=Api(
            "protective-actions/<id:action_pk>/steps",
            "ProtectiveStepInput",
            name="protective-step",
            url_values={"action_pk": "action_id"},
        ),
        offered=lambda case: case_removals(case).exists(),
        fires=(CaseEvent.PROSECUTOR_NOTIFIED, CaseEvent.COURT_FILED, CaseEvent.CHILD_RETURNED),
        presets={
            CaseEvent.PROSECUTOR_NOTIFIED: {"step": "prosecutor_notified"},
            CaseEvent.COURT_FILED: {"step": "court_filed"},
            CaseEvent.CHILD_RETURNED: {"step": "child_returned"},
        },
        group="protection",
    ),
    Step(
        "emergency_end",
        _("End emergency protection"),
        _("Emergency protection ended."),
        fields=(Text("note", _("Note"), max_length=4000, rows=3),),
        perform=_service(services.case_emergency_end),
        api=Api("emergency-end", "NoteInput"),
        fires=(CaseEvent.EMERGENCY_ENDED,),
        group="protection",
    ),
    Step(
        "plan_submit",
        _("Submit the individual assistance plan"),
        _("The plan was submitted for approval."),
        fields=(
            Text("goals", _("Goals"), max_length=20000, rows=6),
            PlanActions(
                "actions",
                _("Actions"),
                help_text=_("One action per line: action | responsible | due date."),
                api_help='[{"action", "responsible", "due"}]',
            ),
            Day("next_review_due", _("Next review due")),
            _answers("plan_submit"),
        ),
        perform=_service(services.case_plan_submit),
        api=Api("plan", "PlanInput"),
        fires=(CaseEvent.PLAN_SUBMITTED,),
    ),
    Step(
        "plan_decide",
        _("Decide on the plan"),
        _("Your decision on the plan was recorded."),
        fields=DECISION,
        perform=_service(services.case_plan_decide),
        api=Api("plan/decision", "DecisionInput"),
        fires=(CaseEvent.PLAN_APPROVED, CaseEvent.PLAN_RETURNED),
    ),
    Step(
        "visit",
        _("Monitoring visit"),
        _("The visit was recorded."),
        fields=(
            Choice("kind", _("Kind"), choices=VisitKind.choices),
            Text("observations", _("Observations"), max_length=20000, rows=6),
            Moment("visited_at", _("Visited at")),
            Choice(
                "risk_level",
                _("Risk level after the visit"),
                choices=RiskLevel.choices,
                blank=True,
                required=False,
                help_text=_("Leave empty if it did not change."),
            ),
            _answers("visit"),
        ),
        perform=_service(services.case_visit_record),
        api=Api("visits", "VisitInput"),
        fires=(CaseEvent.VISIT_RECORDED,),
    ),
    Step(
        "review",
        _("Periodic review"),
        _("The review was recorded."),
        fields=(
            Choice("outcome", _("Outcome"), choices=ReviewOutcome.choices),
            Text("summary", _("Summary"), max_length=20000, rows=6),
            Choice("risk_level", _("Risk level"), choices=RiskLevel.choices),
            Moment("reviewed_at", _("Reviewed at")),
        ),
        perform=_service(services.case_review_record),
        api=Api("review", "ReviewInput"),
        fires=(CaseEvent.REVIEW_DONE,),
    ),
    Step(
        "referral",
        _("Referral to a service"),
        _("The referral was recorded."),
        fields=(
            # Where other apps let a case be referred (a service point of the provider
            # register, which answers the referral): page fields first; not in the API (yet).
            Offered("target", fields=referrals.target_fields, value=referrals.target_of),
            # The page may leave it empty when a service point is chosen; the API asks for it.
            Text("service", _("Service"), max_length=200, required=False, api_required=True),
            Text("reason", _("Reason"), max_length=4000, rows=3),
            Pick(
                "to_institution",
                _("To institution"),
                model=Institution,
                options=referral_institutions,
                required=False,
                find=_active_institution,
                missing=_("There is no institution with this number."),
            ),
            Flag(
                "complex_case",
                _("Complex case (to the guardianship authority, team or Barnahus)"),
            ),
        ),
        perform=_service(services.case_referral_record),
        api=Api("referrals", "ReferralInput"),
        page_check=_target_or_service,
        fires=(CaseEvent.REFERRAL_SENT,),
    ),
    Step(
        "meeting",
        _("Case conference or commission decision"),
        _("The meeting was recorded."),
        fields=(
            Choice("kind", _("Kind"), choices=MeetingKind.choices),
            Text("decision", _("Decision"), max_length=20000, rows=5),
            Text("decision_number", _("Decision number"), max_length=60, required=False),
            Text("participants", _("Participants"), max_length=4000, required=False, rows=3),
            Moment("held_at", _("Held at")),
        ),
        perform=_service(services.case_meeting_record),
        api=Api(
            "meetings",
            "MeetingInput",
            order=("kind", "decision", "held_at", "participants", "decision_number"),
        ),
        fires=(CaseEvent.MEETING_HELD,),
    ),
    Step(
        "closure_propose",
        _("Propose closure"),
        _("Closure was proposed; a supervisor must approve it."),
        fields=(
            Choice("reason", _("Reason for closure"), choices=ClosureReason.choices),
            Text(
                "note",
                _("Note"),
                max_length=4000,
                required=False,
                rows=3,
                help_text=_("Required when the reason is “Other”."),
            ),
        ),
        perform=_service(services.case_closure_propose),
        api=Api("close", "CloseInput"),
        fires=(CaseEvent.CLOSURE_PROPOSED,),
        group="closure",
    ),
    Step(
        "closure_decide",
        _("Decide on the closure"),
        _("Your decision on the closure was recorded."),
        fields=DECISION,
        perform=_service(services.case_closure_decide),
        api=Api("closure-decision", "DecisionInput"),
        fires=(CaseEvent.CASE_CLOSED, CaseEvent.CLOSURE_REFUSED),
        group="closure",
    ),
    Step(
        "reopen",
        _("Reopen the case"),
        _("The case was reopened."),
        fields=(Text("reason", _("Reason"), max_length=4000, rows=3),),
        perform=_service(services.case_reopen),
        api=Api("reopen", "ReopenInput"),
        fires=(CaseEvent.CASE_REOPENED,),
        group="closure",
    ),
    Step(
        "transfer",
        _("Transfer to another unit"),
        _("The case was transferred."),
        fields=(
            Pick(
                "unit",
                _("To unit"),
                model=Unit,
                form_class=UnitChoiceField,
                options=transfer_units,
                find=_active_unit,
                missing=_("There is no unit with this code."),
                by_code=40,
            ),
            Text("reason", _("Reason"), max_length=4000, rows=3),
            # The API may name the new case manager; the page leaves the case without one.
            Pick(
                "manager",
                model=User,
                required=False,
                on_page=False,
                find=_active_user,
                missing=NO_USER,
            ),
        ),
        perform=_service(services.case_transfer),
        api=Api("transfer", "TransferInput", may_leave=True),
        fires=(CaseEvent.CASE_TRANSFERRED,),
        group="team",
    ),
    Step(
        "reassign",
        _("Change the case manager"),
        _("The case manager was changed."),
        fields=(
            Pick(
                "manager",
                _("New case manager"),
                model=User,
                form_class=UserChoiceField,
                options=lambda case: case_managers_for(case.unit),
                find=_active_user,
                missing=NO_USER,
            ),
            Text("reason", _("Reason"), max_length=4000, rows=3),
        ),
        perform=_service(services.case_reassign),
        api=Api("reassign", "ReassignInput"),
        fires=(CaseEvent.CASE_REASSIGNED,),
        group="team",
    ),
    Step(
        "risk_lower",
        _("Lower the risk level"),
        _("The risk level was lowered."),
        fields=(
            Choice("risk_level", _("New risk level"), choices=RiskLevel.choices),
            Text("reason", _("Reason"), max_length=4000, rows=3),
        ),
        perform=_service(services.case_risk_lower),
        api=Api("risk-lowering", "RiskLowerInput"),
        offered=lambda case: case.risk_level != RiskLevel.LOW,
        fires=(CaseEvent.RISK_LOWERED,),
    ),
    Step(
        "team",
        _("Add a team member"),
        _("The team member was added."),
        fields=(
            PickByName(
                "user",
                _("User name"),
                help_text=_("The user name of the professional to add to the team."),
                model=User,
                find=_active_user,
                missing=NO_USER,
                find_by_name=team_candidate,
                missing_name=_("There is no active user with this name."),
            ),
            Text("role", _("Role in the team"), max_length=120, required=False),
        ),
        perform=_service(services.case_member_add),
        api=Api("team", "TeamInput"),
        # Offered in the team's panel of the case page, not as a button.
        button=False,
        fires=(CaseEvent.MEMBER_ADDED,),
        group="team",
    ),
)
