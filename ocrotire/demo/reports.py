"""Demo reports that stay reports: linked to an open case, sent to another authority, closed
after checking, or still awaiting triage (a few of them past their deadline), in Chișinău.
`demo.cases` runs them among its stories in the order the reports were received."""

from __future__ import annotations

from datetime import date

from ocrotire.demo.desk import Desk
from ocrotire.intake.services import ChildInput
from ocrotire.registry.models import Person


def linked_hotline(d: Desk) -> None:
    """A second, anonymous call about the girl whose case is open: linked, not a new case."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(45, 20, 5),
        channel="hotline",
        reporter_kind="anonymous",
        narrative="O vecină spune că fetița din apartamentul 12 stă singură seara.",
        concerns=["no_supervision"],
        children=[d.person("Maria", "Țurcanu", "F", date(2015, 3, 12), "MD-CU-BOT")],
        information_source="third_party",
    )
    d.triage("specialist", report, "link_case", "Același copil, caz deschis.", d.at(44, 9))


def redirected(d: Desk) -> None:
    report = d.file(
        "supervisor",
        "MD-CU-BUI",
        d.at(20, 12),
        channel="phone",
        reporter_kind="citizen",
        reporter_name="Ana Vrabie",
        reporter_contact="079 000 303",
        reporter_relationship="vecină",
        narrative="O bătaie între adolescenți în fața blocului; unul a rămas cu nasul spart.",
        concerns=["other_risk"],
        children=[d.new("Victor", "Vrabie", "M", date(2009, 5, 30), "MD-CU-BUI")],
        information_source="observation",
    )
    d.triage(
        "supervisor",
        report,
        "redirect",
        "Conflict între adolescenți, fără risc în familie: de competența poliției.",
        d.at(19, 10),
        redirect_to=d.institutions["IGP"],
    )


def redirected_education(d: Desk) -> None:
    report = d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(4, 11),
        channel="phone",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.institutions["DEMO-SCHOOL-CEN"],
        reporter_name="Ion Surdu, director adjunct",
        narrative="Un elev de 17 ani absentează de o lună; familia spune că vrea să se angajeze.",
        concerns=["other_risk"],
        children=[d.new("Nichita", "Bălan", "M", date(2009, 1, 20), "MD-CU-CEN")],
        form_received_at=d.at(4, 15),
    )
    d.triage(
        "specialist2",
        report,
        "redirect",
        "Abandon școlar fără alt risc: de competența direcției de educație.",
        d.at(3, 10),
        redirect_to=d.institutions["DGETS"],
    )


def closed_no_action(d: Desk) -> None:
    report = d.file(
        "head",
        "MD-CU-RIS",
        d.at(15, 17),
        channel="phone",
        reporter_kind="anonymous",
        narrative="Se aud țipete de copil din casa de la colț în fiecare seară.",
        concerns=["other_risk"],
        children=[d.new("Alexandru", "Cebotari", "M", date(2020, 3, 3), "MD-CU-RIS")],
    )
    d.triage(
        "head",
        report,
        "close",
        "Vizita a arătat un copil sănătos, cu colici; medicul de familie confirmă.",
        d.at(14, 15),
    )


def relinked_after_reopening(d: Desk) -> None:
    """The school's new report about the boy whose case was reopened."""
    child = Person.objects.filter(given_name="Daniel", family_name="Moraru").order_by("pk").first()
    assert child is not None
    report = d.file(
        "reporter",
        "MD-CU-BOT",
        d.at(2, 11),
        channel="notification_form",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.users["reporter"].institution,
        reporter_name="Natalia Popa, dirigintă",
        narrative="Elevul a adormit în clasă și spune că acasă se ceartă din nou toată noaptea.",
        concerns=["psychological"],
        children=[ChildInput(person=child)],
        information_source="disclosure",
    )
    d.triage("specialist", report, "link_case", "Cazul a fost redeschis pentru acest copil.", None)


def repeat(d: Desk) -> None:
    """A repeat report about a child whose case is open: linked to it."""
    report = d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(1, 9, 40),
        channel="phone",
        reporter_kind="citizen",
        reporter_name="Galina Ceban",
        reporter_contact="069 000 505",
        reporter_relationship="mătușa",
        narrative="Mătușa spune că băiatul nu a mai fost la școală de trei zile și are vânătăi.",
        concerns=["physical", "neglect"],
        children=[d.person("Ion", "Ceban", "M", date(2012, 7, 1), "MD-CU-BOT")],
        information_source="third_party",
    )
    d.triage("specialist", report, "link_case", "Copilul are deja un caz deschis.", None)


def awaiting_school(d: Desk) -> None:
    days = d.overdue_days(offset=3, unit="working_days", least=5, hour=9)
    d.file(
        "reporter",
        "MD-CU-BOT",
        d.at(days, 9),
        channel="notification_form",
        reporter_kind="professional",
        reporter_sector="education",
        reporter_institution=d.users["reporter"].institution,
        reporter_name="Natalia Popa, dirigintă",
        narrative="Elevul este retras și plânge des; colegii spun că tatăl îl umilește.",
        concerns=["psychological"],
        children=[d.new("Radu", "Popescu", "M", date(2014, 9, 9), "MD-CU-BOT")],
        information_source="third_party",
    )


def awaiting_walk_in(d: Desk) -> None:
    days = d.overdue_days(offset=3, unit="working_days", least=6, hour=15)
    d.file(
        "specialist2",
        "MD-CU-CEN",
        d.at(days, 15),
        channel="walk_in",
        reporter_kind="citizen",
        reporter_name="Tatiana Lupu",
        reporter_contact="078 000 606",
        reporter_relationship="vecină",
        narrative="Copiii vecinilor cer mâncare la ușa ei; părinții lipsesc zile întregi.",
        concerns=["neglect", "no_supervision"],
        children=[d.new("Artur", "Lupașcu", "M", date(2016, 2, 2), "MD-CU-CEN")],
        information_source="observation",
    )


def awaiting_written(d: Desk) -> None:
    d.file(
        "supervisor",
        "MD-CU-CIO",
        d.at(1, 11),
        channel="written",
        reporter_kind="professional",
        reporter_sector="health",
        reporter_name="Spitalul Clinic Municipal de Copii",
        narrative="Adolescentul internat povestește că a fost dus la muncă la o stână, neplătit.",
        concerns=["labour_exploitation", "trafficking"],
        children=[d.new("Costel", "Iovu", "M", date(2010, 6, 6), "MD-CU-CIO")],
        information_source="disclosure",
    )


def today(d: Desk) -> None:
    d.file(
        "specialist",
        "MD-CU-BOT",
        d.at(0, 9, 30),
        channel="phone",
        reporter_kind="professional",
        reporter_sector="health",
        reporter_institution=d.institutions["DEMO-CLINIC-BOT"],
        reporter_name="Dr. Ala Cojocari, medic de familie",
        narrative="Copil de 5 ani adus cu arsuri; explicațiile părinților nu se potrivesc.",
        concerns=["physical"],
        children=[d.new("Matei", "Grosu", "M", date(2021, 5, 5), "MD-CU-BOT")],
        information_source="observation",
        immediate_danger=True,
        agencies=[("police", d.at(0, 9, 40), ""), ("ambulance", d.at(0, 9, 0), "")],
    )
