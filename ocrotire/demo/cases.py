"""Demo cases in Chișinău: every stage of a case, with deadlines met,
missed and still running; and the order in which every demo story runs, these and the reports
that stay reports (`demo.reports`); Chernihiv, Bacău and Alamüdün have their own
(`demo.areas`). Written through the intake and case services only, so the
timeline, tasks and audit log are what real use would leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ocrotire.accounts.models import Institution, User
from ocrotire.cases.models import AssessmentKind, Case
from ocrotire.cases.services import (
    case_closure_propose,
    case_emergency_end,
    case_meeting_record,
    case_member_add,
    case_protective_action_record,
    case_protective_step_record,
    case_referral_record,
    case_reopen,
    case_review_record,
    case_risk_lower,
    case_visit_record,
)
from ocrotire.demo import reports
from ocrotire.demo.desk import Desk
from ocrotire.intake.models import Report
from ocrotire.workflow.tasks import overdue_scan

# The stories, each filing one report and taking it as far as its scenario goes. They run in the
# order the reports were received, so registration numbers follow the dates.


def _reopened(d: Desk) -> None:
    """A case closed after the family calmed down, reopened when the school reported again."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(70, 22, 40),
        channel="phone",
        reporter_kind="professional",
        reporter_sector="public_order",
        reporter_institution=d.institutions["DEMO-POLICE-BOT"],
        reporter_name="Sergiu Bălan, ofițer de sector",
        reporter_contact="022 000 101",
        narrative=(
            "Ofițerul de sector semnalează certuri violente repetate între părinți, în prezența "
            "copilului. Vecinii l-au găsit pe copil noaptea pe scara blocului."
        ),
        concerns=["psychological"],
        children=[d.new("Daniel", "Moraru", "M", date(2013, 6, 18), "MD-CU-BOT")],
        information_source="third_party",
        alleged_perpetrator="Tatăl",
        form_received_at=d.at(69, 9, 15),
    )
    case = d.open("specialist", report, "medium", "Copil expus violenței în familie.", d.at(69, 11))
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(67, 15),
        risk="low",
        confirmed="partly",
        findings="Conflictele sunt reale, dar copilul nu a fost lovit; mama cere ajutor.",
        recommendation="Consiliere pentru familie; monitorizare prin școală.",
    )
    case = d.close(
        "specialist",
        "supervisor",
        case,
        "risk_removed",
        "Conflictele au încetat; părinții frecventează consilierea familială.",
    )
    case_reopen(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        reason="Școala a sesizat din nou: conflictele în familie au reluat.",
    )


def _implementation(d: Desk) -> None:
    """The full path: assessments, a home visit, a case conference, an approved plan, a referral
    to the day centre, a team member from the provider, a review and a school visit."""
    report = d.file(
        "reporter",
        "MD-CU-BOT",
        d.at(60, 9, 30),
        channel="notification_form",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.users["reporter"].institution,
        reporter_name="Natalia Popa, dirigintă",
        reporter_contact="natalia.popa@demo.ocrotire.invalid",
        narrative=(
            "Eleva vine la școală neîngrijită și flămândă. Mama este plecată la muncă peste "
            "hotare, iar bunica, bolnavă, nu o mai poate supraveghea."
        ),
        concerns=["parents_abroad", "no_supervision"],
        children=[d.person("Maria", "Țurcanu", "F", date(2015, 3, 12), "MD-CU-BOT")],
        information_source="observation",
    )
    case = d.open("specialist", report, "medium", "Copil fără supraveghere.", d.at(59, 10))
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(57, 14),
        risk="medium",
        confirmed="yes",
        findings="Bunica are 78 de ani și este imobilizată la pat; copilul se îngrijește singur.",
    )
    case = case_visit_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        kind="home",
        observations="Locuința este rece; frigiderul gol. Mama a fost contactată telefonic.",
        visited_at=d.at(55, 16),
    )
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.COMPLEX,
        d.at(40, 12),
        risk="medium",
        confirmed="yes",
        findings="Mama revine în țară peste trei luni; o mătușă poate fi desemnată îngrijitor.",
    )
    case = case_meeting_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        kind="case_conference",
        decision="Centru de zi după ore; mătușa desemnată persoană de îngrijire.",
        held_at=d.at(39, 11),
        participants="Specialist DGPDC, dirigintă, medic de familie, mătușa",
    )
    case = d.plan(
        "specialist",
        case,
        "Copilul este îngrijit și supravegheat zilnic până la întoarcerea mamei.",
        [
            ("Înscriere la centrul de zi", "DGPDC Botanica"),
            ("Procură notarială pentru mătușă", "Mama"),
            ("Monitorizare lunară la școală", "Diriginta"),
        ],
    )
    case = d.approve_plan("supervisor", case)
    case = case_referral_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        service="Centru de zi",
        reason="Supraveghere și masă caldă după ore.",
        to_institution=d.institutions["DEMO-DAY-CENTRE"],
    )
    case = case_member_add(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        user=d.users["provider"],
        role="Asistent social, centrul de zi",
    )
    # Lowering the risk level is the supervisor's decision, with its reason.
    case = case_risk_lower(
        actor=d.users["supervisor"],
        case=case,
        version=case.version,
        risk_level="low",
        reason="Copilul frecventează centrul de zi; o mătușă a fost desemnată îngrijitor.",
    )
    case = case_review_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        outcome="continue",
        summary="Copilul frecventează centrul de zi; rezultatele școlare s-au îmbunătățit.",
        risk_level="low",
    )
    case_visit_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        kind="school",
        observations="Eleva este îngrijită și a recuperat materia.",
        risk_level="low",
    )


def _closure_proposed(d: Desk) -> None:
    """A girl called the hotline herself; the plan worked and closure waits for the head."""
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(50, 18, 20),
        channel="hotline",
        reporter_kind="child",
        reporter_name="Cristina",
        narrative=(
            "Fata spune că este umilită zilnic acasă și obligată să participe la ritualurile "
            "unui grup religios, altfel nu primește de mâncare."
        ),
        concerns=["psychological", "spiritual"],
        most_serious="psychological",
        children=[d.new("Cristina", "Lungu", "F", date(2010, 10, 2), "MD-CU-CEN")],
        information_source="disclosure",
        alleged_perpetrator="Tatăl vitreg",
    )
    case = d.open("specialist2", report, "medium", "Dezvăluire directă a copilului.", d.at(50, 19))
    case = d.assess(
        "specialist2",
        case,
        AssessmentKind.INITIAL,
        d.at(48, 12),
        risk="medium",
        confirmed="yes",
        findings="Interviul de protecție confirmă violența psihologică.",
    )
    case = d.assess(
        "specialist2",
        case,
        AssessmentKind.COMPLEX,
        d.at(35, 12),
        risk="low",
        confirmed="yes",
        findings="Mama s-a separat de tatăl vitreg; copilul merge la psiholog.",
    )
    case = d.plan(
        "specialist2",
        case,
        "Copilul își recapătă siguranța; mama este sprijinită.",
        [("Consiliere psihologică", "CMC"), ("Grup de sprijin pentru mamă", "DGPDC Centru")],
    )
    case = d.approve_plan("head", case)
    case_closure_propose(
        actor=d.users["specialist2"],
        case=case,
        version=case.version,
        reason="objectives_achieved",
        note="Obiectivele planului au fost atinse; familia este stabilă.",
    )


def _complex_overdue(d: Desk) -> None:
    """The complex assessment is ten days late."""
    report = d.file(
        "specialist",
        "MD-CU-BOT-SIN",
        d.at(44, 8, 45),
        channel="written",
        reporter_kind="professional",
        reporter_sector="health",
        reporter_institution=d.institutions["DEMO-CLINIC-BOT"],
        reporter_name="Dr. Ala Cojocari, medic de familie",
        narrative=(
            "Băiatul a fost adus la centrul de sănătate de un trecător: cerșea în gară și "
            "nu a mai fost acasă de trei zile."
        ),
        concerns=["vagrancy", "begging"],
        children=[d.person("Gheorghe", "Sîrbu", "M", date(2010, 11, 3), "MD-CU-BOT-SIN")],
        information_source="observation",
    )
    case = d.open("specialist", report, "low", "Copil în stradă, revenit acasă.", d.at(44, 12))
    d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(40, 15),
        risk="medium",
        confirmed="partly",
        findings="Băiatul fuge de acasă după certuri; tatăl consumă alcool.",
    )


def _plan_approval(d: Desk) -> None:
    """The plan waits for the supervisor."""
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(40, 13),
        channel="phone",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.institutions["DEMO-SCHOOL-CEN"],
        reporter_name="Ion Surdu, director adjunct",
        narrative="Elevul lipsește de la ore; lucrează la o spălătorie auto până seara târziu.",
        concerns=["labour_exploitation"],
        children=[d.person("Vasile", "Munteanu", "M", date(2011, 8, 30), "MD-CU-CEN")],
        information_source="disclosure",
        form_received_at=d.at(39, 9),
    )
    case = d.open("specialist2", report, "medium", "Muncă interzisă copiilor.", d.at(39, 11))
    case = d.assess(
        "specialist2",
        case,
        AssessmentKind.INITIAL,
        d.at(37, 10),
        risk="medium",
        confirmed="partly",
        findings="Băiatul lucrează după-amiaza pentru a ajuta familia.",
    )
    case = d.assess(
        "specialist2",
        case,
        AssessmentKind.COMPLEX,
        d.at(12, 14),
        risk="medium",
        confirmed="yes",
        findings="Familia are datorii; tatăl a fost concediat.",
    )
    d.plan(
        "specialist2",
        case,
        "Copilul revine la școală; familia primește ajutor social.",
        [("Cerere de ajutor social", "DGASS"), ("Control la spălătorie", "Inspectoratul muncii")],
    )


def _planning_overdue(d: Desk) -> None:
    """The plan should have been drafted within ten working days of the complex assessment."""
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(30, 14),
        channel="walk_in",
        reporter_kind="citizen",
        reporter_name="Vera Rusu",
        reporter_contact="069 000 202",
        reporter_relationship="bunica",
        narrative="Bunica spune că nepoata este certată și amenințată zilnic de tatăl ei.",
        concerns=["psychological"],
        children=[d.person("Elena", "Rusu", "F", date(2013, 2, 14), "MD-CU-CEN")],
        information_source="third_party",
        alleged_perpetrator="Tatăl",
    )
    case = d.open("specialist2", report, "medium", "Amenințări repetate.", d.at(30, 16))
    case = d.assess(
        "specialist2",
        case,
        AssessmentKind.INITIAL,
        d.at(28, 11),
        risk="medium",
        confirmed="partly",
        findings="Copilul confirmă amenințările; mama neagă.",
    )
    d.assess(
        "specialist2",
        case,
        AssessmentKind.COMPLEX,
        d.at(18, 15),
        risk="medium",
        confirmed="yes",
        findings="Tatăl acceptă un program pentru gestionarea furiei.",
    )


def _closed(d: Desk) -> None:
    """An anonymous online report that the assessment did not confirm: the case is closed."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(25, 23, 10),
        channel="online",
        reporter_kind="anonymous",
        narrative="Copilul de la etajul 3 stă des singur în curte până după miezul nopții.",
        concerns=["neglect"],
        children=[d.new("Mihai", "Rotaru", "M", date(2017, 2, 11), "MD-CU-BOT")],
        information_source="observation",
    )
    case = d.open("specialist", report, "low", "De verificat la domiciliu.", d.at(24, 10))
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(20, 16),
        risk="low",
        confirmed="no",
        findings="Copilul se joacă în curte sub supravegherea bunicului, de la fereastră.",
    )
    d.close("specialist", "supervisor", case, "not_confirmed", "Suspiciunea nu s-a confirmat.")


def _planning_running(d: Desk) -> None:
    """A boy walked in himself; the plan is being drafted, in time."""
    report = d.file(
        "specialist",
        "MD-CU-BOT-SIN",
        d.at(22, 15, 30),
        channel="walk_in",
        reporter_kind="child",
        reporter_name="Tudor",
        narrative="Băiatul a venit singur la primărie: fratele mai mare îl bate când bea.",
        concerns=["physical"],
        children=[d.new("Tudor", "Botnaru", "M", date(2012, 12, 1), "MD-CU-BOT-SIN")],
        information_source="disclosure",
        alleged_perpetrator="Fratele mai mare (19 ani)",
    )
    case = d.open("specialist", report, "high", "Dezvăluire a violenței fizice.", d.at(22, 16))
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(21, 12),
        risk="high",
        confirmed="yes",
        findings="Urme de lovituri; fratele a plecat la muncă în altă localitate.",
    )
    d.assess(
        "specialist",
        case,
        AssessmentKind.COMPLEX,
        d.at(10, 12),
        risk="medium",
        confirmed="yes",
        findings="Mama singură cu doi copii; are nevoie de sprijin.",
    )


def _self_referral(d: Desk) -> None:
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(18, 10),
        channel="self_referral",
        reporter_kind="professional",
        reporter_sector="social",
        reporter_institution=d.institutions["DGPDC-CEN"],
        reporter_name="Ion Ciobanu",
        narrative="În Piața Centrală un copil de circa 10 ani cerșește zilnic, nesupravegheat.",
        concerns=["begging", "no_supervision"],
        children=[d.new("Ionuț", "Cazacu", "M", date(2015, 1, 1), "MD-CU-CEN")],
        information_source="observation",
    )
    case = d.open("specialist2", report, "medium", "Autosesizare din teren.", d.at(18, 12))
    d.assess(
        "specialist2",
        case,
        AssessmentKind.INITIAL,
        d.at(16, 11),
        risk="medium",
        confirmed="yes",
        findings="Mama îl trimite să cerșească; familia nu are venituri.",
    )


def _emergency_ended(d: Desk) -> None:
    """A police protection order during the emergency, then back to the complex assessment."""
    report = d.file(
        "head",
        "MD-CU-RIS",
        d.at(14, 9, 10),
        channel="hotline",
        reporter_kind="professional",
        reporter_sector="social",
        reporter_name="Operator, Telefonul copilului 116 111",
        narrative="Fata a sunat la linia fierbinte: concubinul mamei o atinge noaptea.",
        concerns=["sexual"],
        children=[d.new("Sofia", "Guțu", "F", date(2012, 8, 9), "MD-CU-RIS")],
        information_source="disclosure",
        alleged_perpetrator="Concubinul mamei",
        immediate_danger=True,
        agencies=[("police", d.at(14, 9, 30), "Inspectoratul Rîșcani")],
        form_received_at=d.at(14, 15),
    )
    case = d.open("head", report, "high", "Pericol imediat, abuz sexual.", d.at(14, 10))
    case = d.assess(
        "head",
        case,
        AssessmentKind.INITIAL,
        d.at(14, 18),
        risk="high",
        confirmed="yes",
        findings="Interviul de protecție confirmă abuzul; suspectul locuiește cu familia.",
        emergency=True,
    )
    case = case_protective_action_record(
        actor=d.users["head"],
        case=case,
        version=case.version,
        kind="police_order",
        decided_at=d.at(14, 20),
        description="Ordin de protecție: suspectul este scos din locuință.",
    )
    case_emergency_end(
        actor=d.users["head"],
        case=case,
        version=case.version,
        note="Suspectul a fost reținut; fata este în siguranță cu mama.",
    )


def _siblings(d: Desk) -> None:
    """One report about two children opens one case each."""
    report = d.file(
        "reporter",
        "MD-CU-BOT",
        d.at(12, 8, 30),
        channel="notification_form",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.users["reporter"].institution,
        reporter_name="Natalia Popa, dirigintă",
        narrative="Gemenii vin la școală fără pachet și cu aceleași haine murdare de o săptămână.",
        concerns=["neglect", "no_supervision"],
        children=[
            d.person("Andrei", "Ciobanu", "M", date(2016, 5, 20), "MD-CU-BOT"),
            d.person("Ana", "Ciobanu", "F", date(2016, 5, 20), "MD-CU-BOT"),
        ],
        information_source="observation",
    )
    report = d.triage(
        "specialist",
        report,
        "open_case",
        "Neglijare a doi frați.",
        d.at(11, 10),
        risk_level="medium",
    )
    for case in report.cases.order_by("pk"):
        d.assess(
            "specialist",
            case,
            AssessmentKind.INITIAL,
            d.at(9, 14),
            risk="medium",
            confirmed="partly",
            findings="Tatăl lucrează în ture de noapte; mama este internată.",
        )


def _trafficking(d: Desk) -> None:
    report = d.file(
        "supervisor",
        "MD-CU-CIO",
        d.at(9, 16),
        channel="written",
        reporter_kind="professional",
        reporter_sector="public_order",
        reporter_institution=d.institutions["IGP"],
        reporter_name="Centrul pentru combaterea traficului de persoane",
        narrative="Adolescenta a fost recrutată online pentru o „slujbă” peste hotare.",
        concerns=["presumed_trafficking", "sexual_exploitation"],
        children=[d.new("Nicoleta", "Bejan", "F", date(2008, 4, 22), "MD-CU-CIO")],
        information_source="third_party",
    )
    case = d.open("supervisor", report, "high", "Presupusă victimă a traficului.", d.at(8, 11))
    d.assess(
        "supervisor",
        case,
        AssessmentKind.INITIAL,
        d.at(7, 10),
        risk="high",
        confirmed="yes",
        findings="Plecarea a fost împiedicată; fata este acasă, cu mama.",
    )


def _initial_late(d: Desk) -> None:
    """The initial assessment was done, but after its 72 hours."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(8, 21),
        channel="online",
        reporter_kind="citizen",
        reporter_name="Lilia Creangă",
        reporter_contact="lilia.creanga@example.invalid",
        reporter_relationship="vecină",
        narrative="Părinții îi iau băiatului banii primiți de la bunici și îl pun să muncească.",
        concerns=["economic"],
        children=[d.new("Dumitru", "Roșca", "M", date(2011, 9, 9), "MD-CU-BOT")],
        information_source="third_party",
    )
    case = d.open("specialist", report, "medium", "Exploatare economică în familie.", d.at(7, 10))
    d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(2, 15),
        risk="low",
        confirmed="partly",
        findings="Situația este mai puțin gravă decât s-a descris.",
    )


def _emergency(d: Desk) -> None:
    """A removal from the family: the prosecutor was told in time, the court action is late."""
    days = d.overdue_days(offset=3, unit="working_days", least=5, hour=14)
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(days, 8, 5),
        channel="hotline",
        reporter_kind="citizen",
        reporter_name="Petru Ursu",
        reporter_contact="068 000 404",
        reporter_relationship="vecin",
        narrative="Vecinul aude de o oră cum tatăl beat lovește fetița; acum plânge în scară.",
        concerns=["physical", "psychological"],
        most_serious="physical",
        children=[d.new("Valeria", "Istrati", "F", date(2019, 1, 15), "MD-CU-BOT")],
        information_source="observation",
        alleged_perpetrator="Tatăl",
        immediate_danger=True,
        agencies=[("police", d.at(days, 8, 20), "")],
    )
    case = d.open("specialist", report, "high", "Pericol imediat.", d.at(days, 9))
    case = d.assess(
        "specialist",
        case,
        AssessmentKind.INITIAL,
        d.at(days, 13),
        risk="high",
        confirmed="yes",
        findings="Echimoze pe față și brațe; tatăl agresiv, mama absentă.",
        emergency=True,
    )
    case = case_protective_action_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        kind="removal",
        decided_at=d.at(days, 14),
        description="Fetița a fost plasată în regim de urgență la Centrul de plasament temporar.",
    )
    action = case.protective_actions.get()
    case_protective_step_record(
        actor=d.users["specialist"],
        case=case,
        version=case.version,
        action_id=action.pk,
        step="prosecutor_notified",
        at=d.at(days, 18),
    )


def _initial_overdue(d: Desk) -> None:
    """High risk: the initial assessment was due in 24 hours and is not done."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(3, 10),
        channel="phone",
        reporter_kind="professional",
        reporter_sector="public_order",
        reporter_institution=d.institutions["DEMO-POLICE-BOT"],
        reporter_name="Sergiu Bălan, ofițer de sector",
        reporter_contact="022 000 101",
        narrative="Băiatul a venit la post cu o tăietură la mână; spune că l-a lovit mama vitregă.",
        concerns=["physical"],
        children=[d.person("Ion", "Ceban", "M", date(2012, 7, 1), "MD-CU-BOT")],
        information_source="disclosure",
        alleged_perpetrator="Mama vitregă",
        form_received_at=d.at(3, 13),
    )
    d.open("specialist", report, "high", "Leziuni și dezvăluire.", d.at(3, 12))


def _initial_running(d: Desk) -> None:
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(1, 19),
        channel="online",
        reporter_kind="citizen",
        reporter_name="Doina Marin",
        reporter_contact="doina.marin@example.invalid",
        reporter_relationship="mătușa",
        narrative="Nepoata de 6 ani este lăsată singură acasă cât mama lucrează în tura de noapte.",
        concerns=["neglect"],
        children=[d.new("Elisaveta", "Marin", "F", date(2019, 11, 2), "MD-CU-CEN")],
        information_source="third_party",
    )
    d.open("specialist2", report, "medium", "Copil mic lăsat singur.", None)


STORIES: list[Callable[[Desk], None]] = [
    _reopened,
    _implementation,
    _closure_proposed,
    _complex_overdue,
    reports.linked_hotline,
    _plan_approval,
    _planning_overdue,
    _closed,
    _planning_running,
    reports.redirected,
    _self_referral,
    reports.closed_no_action,
    _emergency_ended,
    _siblings,
    _trafficking,
    _initial_late,
    _emergency,
    reports.awaiting_school,
    reports.awaiting_walk_in,
    reports.redirected_education,
    _initial_overdue,
    reports.relinked_after_reopening,
    reports.repeat,
    reports.awaiting_written,
    _initial_running,
    reports.today,
]


def cases_demo_load(users: dict[str, User], institutions: dict[str, Institution]) -> dict[str, int]:
    """File the demo reports and take them through triage and the case steps, then escalate
    what is overdue. Runs once: if the register holds any report, nothing is added."""
    # The register is only filled when it is empty: the stories are dated relative to today and
    # cannot be compared one by one with what a previous run left (that run's "three days ago"
    # is another day), and an installation where reports were already filed, demo or not, must
    # never receive invented ones. The same rule as the registry demo's.
    if Report.objects.exists():
        return {"reports_created": 0, "cases_created": 0}
    demo = Desk(users, institutions)
    for story in STORIES:
        story(demo)
    overdue_scan(now=demo.now)
    return {"reports_created": Report.objects.count(), "cases_created": Case.objects.count()}
