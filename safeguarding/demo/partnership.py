"""The invented Wealdmoor partnership: its agencies, fixed users, sub-groups, priorities, panels.

Everything here is fiction. No place, person or agency may come from the reference
annual report (tests/test_demo.py checks the names against it when it is present).
Email addresses use the reserved `.example` top-level domain, so no mail can ever leave
for a real inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safeguarding.core.models import AgencyKind, PanelKind
from safeguarding.core.roles import Role

PARTNERSHIP_NAME = "Wealdmoor Safeguarding Children Partnership"
AREA = "Wealdmoor"
DEMO_PASSWORD = "demo-password-2025"
# The URL the sign-in help points at: `make serve` runs the development server there.
DEMO_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    domains: tuple[str, ...]
    statutory_partner: bool = False
    # How the agency numbers the people on its own system ("#" is a digit); "UPN" for
    # a school, whose pupils are known by their Unique Pupil Number. Empty: the agency
    # holds no records of children (the ICB commissions; probation works with adults).
    record_pattern: str = ""
    # The ages of the children the agency works with, and how often it does.
    ages: tuple[int, int] = (0, 17)
    weight: float = 1.0
    # Children are on one school's roll, with one GP, and so on: one agency per slot.
    slot: str = ""
    # A school's DfE establishment number, part of its pupils' UPNs.
    establishment: str = ""

    @property
    def holds_child_records(self) -> bool:
        return bool(self.record_pattern)


AGENCIES: tuple[AgencySpec, ...] = (
    # The three statutory safeguarding partners.
    AgencySpec(
        "LA",
        "Wealdmoor Council",
        AgencyKind.LOCAL_AUTHORITY,
        ("council.wealdmoor.example",),
        True,
        "LCS######",
    ),
    AgencySpec(
        "ICB",
        "NHS Wealdmoor and Marlbeck Integrated Care Board",
        AgencyKind.HEALTH_ICB,
        ("icb.wealdmoor.example",),
        True,
    ),
    AgencySpec(
        "POLICE",
        "Wealdmoor Constabulary",
        AgencyKind.POLICE,
        ("police.wealdmoor.example",),
        True,
        "PN-########",
    ),
    # The partnership's own business unit, hosted by the partners: officers, analysts, IG.
    AgencySpec(
        "PBU",
        "Wealdmoor Partnership Business Unit",
        AgencyKind.OTHER,
        ("wealdmoor-partnership.example",),
    ),
    # Health.
    AgencySpec(
        "HOSP",
        "Wealdmoor Hospitals NHS Foundation Trust",
        AgencyKind.HEALTH_TRUST,
        ("hospitals.wealdmoor.example",),
        record_pattern="WHT#######",
        weight=4,
    ),
    AgencySpec(
        "COMMHEALTH",
        "Wealdmoor Community Health NHS Trust",
        AgencyKind.HEALTH_TRUST,
        ("communityhealth.wealdmoor.example",),
        record_pattern="CH-######",
        weight=3,
    ),
    AgencySpec(
        "MINDS",
        "Marlbeck and Wealdmoor Minds NHS Trust",
        AgencyKind.HEALTH_TRUST,
        ("minds.wealdmoor.example",),
        record_pattern="MW#######",
        ages=(5, 17),
        weight=2,
    ),
    AgencySpec(
        "GP-TOLLGATE",
        "Tollgate Green Surgery",
        AgencyKind.HEALTH_GP,
        ("tollgategreen.gp.wealdmoor.example",),
        record_pattern="TG######",
        weight=2,
        slot="gp",
    ),
    AgencySpec(
        "GP-FERNLEA",
        "Fernlea Medical Practice",
        AgencyKind.HEALTH_GP,
        ("fernlea.gp.wealdmoor.example",),
        record_pattern="FM######",
        weight=2,
        slot="gp",
    ),
    AgencySpec(
        "GP-QUAYSIDE",
        "Marlbeck Quayside Health Centre",
        AgencyKind.HEALTH_GP,
        ("quayside.gp.wealdmoor.example",),
        record_pattern="QH######",
        weight=1,
        slot="gp",
    ),
    # Education.
    AgencySpec(
        "PRI-BRACKEN",
        "Brackenford Primary School",
        AgencyKind.SCHOOL,
        ("brackenford-primary.wealdmoor.example",),
        record_pattern="UPN",
        ages=(4, 10),
        weight=3,
        slot="school",
        establishment="2041",
    ),
    AgencySpec(
        "PRI-HOLLINS",
        "Hollins Lea Church of England Primary School",
        AgencyKind.SCHOOL,
        ("hollinslea-primary.wealdmoor.example",),
        record_pattern="UPN",
        ages=(4, 10),
        weight=3,
        slot="school",
        establishment="3117",
    ),
    AgencySpec(
        "SEC-ACADEMY",
        "Wealdmoor Academy",
        AgencyKind.SCHOOL,
        ("school.wealdmoor.example",),
        record_pattern="UPN",
        ages=(11, 15),
        weight=3,
        slot="school",
        establishment="4602",
    ),
    AgencySpec(
        "SEC-MARLBECK",
        "Marlbeck High School",
        AgencyKind.SCHOOL,
        ("marlbeckhigh.wealdmoor.example",),
        record_pattern="UPN",
        ages=(11, 15),
        weight=3,
        slot="school",
        establishment="4655",
    ),
    AgencySpec(
        "COLLEGE",
        "Wealdmoor College",
        AgencyKind.COLLEGE,
        ("college.wealdmoor.example",),
        record_pattern="WC#######",
        ages=(16, 17),
        weight=3,
        slot="school",
    ),
    AgencySpec(
        "EY-TUMBLE",
        "Tumbledown Lane Day Nursery",
        AgencyKind.EARLY_YEARS,
        ("tumbledown-nursery.wealdmoor.example",),
        record_pattern="TLN-####",
        ages=(0, 4),
        weight=2,
        slot="early years",
    ),
    AgencySpec(
        "EY-FAMHUB",
        "Wealdmoor Family Hubs Early Years Service",
        AgencyKind.EARLY_YEARS,
        ("familyhubs.wealdmoor.example",),
        record_pattern="FH######",
        ages=(0, 4),
        weight=2,
        slot="early years",
    ),
    # Voluntary sector.
    AgencySpec(
        "LANTERN",
        "Lanternway Youth Trust",
        AgencyKind.VOLUNTARY,
        ("lanternway.example",),
        record_pattern="LYT/{year}/####",
        ages=(8, 17),
        weight=2,
        slot="voluntary",
    ),
    AgencySpec(
        "KINDRED",
        "Kindred Families Wealdmoor",
        AgencyKind.VOLUNTARY,
        ("kindredfamilies.example",),
        record_pattern="KF-#####",
        weight=1.5,
        slot="voluntary",
    ),
    # Other relevant agencies.
    AgencySpec(
        "YJS",
        "Wealdmoor Youth Justice Service",
        AgencyKind.OTHER,
        ("yjs.wealdmoor.example",),
        record_pattern="YJ######",
        ages=(10, 17),
        weight=1.5,
    ),
    AgencySpec(
        "PROBATION",
        "Probation Service, Wealdmoor Delivery Unit",
        AgencyKind.OTHER,
        ("probation.wealdmoor.example",),
    ),
    AgencySpec(
        "HOUSING",
        "Wealdmoor Homes",
        AgencyKind.OTHER,
        ("wealdmoorhomes.example",),
        record_pattern="HSG-######",
        weight=1,
    ),
    AgencySpec(
        "FIRE",
        "Wealdmoor Fire and Rescue Service",
        AgencyKind.OTHER,
        ("fire.wealdmoor.example",),
        record_pattern="FRS#####",
        weight=0.5,
    ),
)


@dataclass(frozen=True)
class FixedUser:
    """A demo user the README names: the same in every demo, whatever the seed."""

    key: str
    email: str
    full_name: str
    job_title: str
    agency: str
    roles: tuple[str, ...]
    panels: tuple[str, ...] = ()


EXPLOITATION_RISK_PANEL = "Child Exploitation Risk Assessment Meeting"
EXPLOITATION_DISRUPTION_PANEL = "Child Exploitation Disruption Meeting"

FIXED_USERS: tuple[FixedUser, ...] = (
    FixedUser(
        "practitioner",
        "practitioner@council.wealdmoor.example",
        "Priya Ashworth",
        "Social worker, assessment team",
        "LA",
        (Role.PRACTITIONER,),
    ),
    FixedUser(
        "police_practitioner",
        "practitioner@police.wealdmoor.example",
        "Gareth Pennington",
        "Detective constable, child exploitation team",
        "POLICE",
        (Role.PRACTITIONER,),
    ),
    FixedUser(
        "panel_member",
        "panel@icb.wealdmoor.example",
        "Morag Delaney",
        "Designated nurse for safeguarding children",
        "ICB",
        (Role.PANEL_MEMBER,),
        (EXPLOITATION_RISK_PANEL,),
    ),
    FixedUser(
        "officer",
        "officer@wealdmoor-partnership.example",
        "Tomasz Whitfield",
        "Partnership business manager",
        "PBU",
        (Role.PARTNERSHIP_OFFICER,),
    ),
    FixedUser(
        "analyst",
        "analyst@wealdmoor-partnership.example",
        "Imogen Radcliffe",
        "Performance and intelligence analyst",
        "PBU",
        (Role.ANALYST,),
    ),
    FixedUser(
        "executive",
        "executive@icb.wealdmoor.example",
        "Nkechi Okafor",
        "Chief nursing officer",
        "ICB",
        (Role.EXECUTIVE,),
    ),
    FixedUser(
        "agency_admin",
        "admin@school.wealdmoor.example",
        "Hamish Lowther",
        "Designated safeguarding lead",
        "SEC-ACADEMY",
        (Role.AGENCY_ADMIN,),
    ),
    FixedUser(
        "data_officer",
        "data@police.wealdmoor.example",
        "Lowri Pritchard",
        "Information management officer",
        "POLICE",
        (Role.DATA_OFFICER,),
    ),
    FixedUser(
        "linkage_officer",
        "linkage@wealdmoor-partnership.example",
        "Declan Fairbrother",
        "Partnership data officer",
        "PBU",
        (Role.LINKAGE_OFFICER,),
    ),
    FixedUser(
        "sysadmin",
        "sysadmin@wealdmoor-partnership.example",
        "Bethan Greaves",
        "Systems administrator",
        "PBU",
        (Role.SYSTEM_ADMIN,),
    ),
    FixedUser(
        "ig_lead",
        "ig@wealdmoor-partnership.example",
        "Anil Chaudhry",
        "Information governance lead",
        "PBU",
        (Role.IG_LEAD,),
    ),
    FixedUser(
        "trainer",
        "trainer@council.wealdmoor.example",
        "Rhiannon Castellane",
        "Safeguarding trainer",
        "LA",
        (Role.TRAINER,),
    ),
    FixedUser(
        "dsl",
        "dsl@school.wealdmoor.example",
        "Farida Oyelaran",
        "Designated safeguarding lead",
        "SEC-ACADEMY",
        (Role.DSL,),
    ),
)


@dataclass(frozen=True)
class SubGroupSpec:
    key: str
    name: str
    purpose: str
    # Agencies its chair and members come from, in order of preference.
    agencies: tuple[str, ...] = field(default=())


SUB_GROUPS: tuple[SubGroupSpec, ...] = (
    SubGroupSpec(
        "case_review",
        "Case Review",
        "Considers serious incidents, runs rapid reviews and local practice reviews, and "
        "tracks their recommendations until partners can show the change.",
        ("LA", "POLICE", "ICB", "HOSP", "COMMHEALTH"),
    ),
    SubGroupSpec(
        "exploitation",
        "Child Exploitation",
        "Oversees how partners find, assess and protect children at risk of exploitation "
        "or going missing, and how they disrupt the people and places behind it.",
        ("POLICE", "LA", "YJS", "LANTERN", "COMMHEALTH", "SEC-MARLBECK"),
    ),
    SubGroupSpec(
        "practice",
        "Safeguarding and Professional Practice",
        "Keeps the partnership's procedures, thresholds and tools current and checks that "
        "practitioners use them well.",
        ("LA", "COMMHEALTH", "HOSP", "PRI-BRACKEN", "KINDRED", "POLICE"),
    ),
    SubGroupSpec(
        "voice",
        "Voice and Involvement",
        "Makes sure children, young people and families shape the partnership's work and "
        "hear back what changed because of them.",
        ("LANTERN", "KINDRED", "LA", "COLLEGE", "EY-FAMHUB"),
    ),
    SubGroupSpec(
        "ldp",
        "Learning, Development and Performance",
        "Owns the multi-agency data set, the audit programme and the training offer, and "
        "reports to the executive on what they show.",
        ("LA", "ICB", "POLICE", "HOSP", "SEC-ACADEMY"),
    ),
    SubGroupSpec(
        "mash",
        "Multi-Agency Safeguarding Hub operational",
        "Runs the front door: timeliness and quality of decisions on contacts, information "
        "sharing between partners in the hub, and step-up and step-down with early help.",
        ("LA", "POLICE", "COMMHEALTH", "HOSP", "EY-FAMHUB"),
    ),
)


@dataclass(frozen=True)
class PrioritySpec:
    year: int
    number: int
    title: str
    description: str
    sub_group: str


PRIORITIES: tuple[PrioritySpec, ...] = (
    PrioritySpec(
        2024,
        1,
        "Spotting and stopping exploitation",
        "Partners notice the early signs that a child is being groomed or going missing, share "
        "what they know on the same day, and act together against the people and places "
        "that cause the harm.",
        "exploitation",
    ),
    PrioritySpec(
        2024,
        2,
        "Neglect: seeing the whole picture",
        "Practitioners use one neglect toolkit, look at the build-up of small concerns over "
        "time, and act before neglect becomes entrenched in a family's life.",
        "practice",
    ),
    PrioritySpec(
        2024,
        3,
        "Help at the first sign",
        "Families get the right help from the first professional who notices, without being "
        "passed between services or told their worries are not yet serious enough.",
        "mash",
    ),
    PrioritySpec(
        2024,
        4,
        "Hearing every child",
        "What children tell us, and what their behaviour shows, is written down in their own "
        "words and changes the plan for them.",
        "voice",
    ),
    PrioritySpec(
        2024,
        5,
        "Learning that sticks",
        "Lessons from reviews and audits reach front-line staff within weeks, and partners can "
        "show where their practice changed as a result.",
        "case_review",
    ),
    PrioritySpec(
        2025,
        1,
        "Safe online and in the neighbourhood",
        "Children are protected from exploitation wherever it happens: on their phones, in "
        "parks and town centres, and on the routes between them.",
        "exploitation",
    ),
    PrioritySpec(
        2025,
        2,
        "Safer school days",
        "Every school, college and nursery knows its safeguarding duties, returns its "
        "self-assessment on time, and gets help quickly where a gap shows.",
        "practice",
    ),
    PrioritySpec(
        2025,
        3,
        "The child's voice in every plan",
        "Each plan for a child records what the child wants to happen and says how the plan "
        "answers it; children check a sample of plans with us each year.",
        "voice",
    ),
    PrioritySpec(
        2025,
        4,
        "A front door that works for families",
        "Contacts to the hub get a timely, proportionate decision, and families move between "
        "early help and social care without starting their story again.",
        "mash",
    ),
    PrioritySpec(
        2025,
        5,
        "Knowing our impact",
        "We measure what changes for children, not only what we did, and use the data set to "
        "decide where the partnership puts its effort next.",
        "ldp",
    ),
)


@dataclass(frozen=True)
class PanelSpec:
    name: str
    kind: str
    # Generated panel members come from these agencies; fixed users join through FixedUser.panels.
    agencies: tuple[str, ...]


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec(
        EXPLOITATION_RISK_PANEL,
        PanelKind.EXPLOITATION_RISK,
        ("LA", "POLICE", "YJS", "COMMHEALTH", "SEC-MARLBECK", "LANTERN"),
    ),
    PanelSpec(
        EXPLOITATION_DISRUPTION_PANEL,
        PanelKind.EXPLOITATION_DISRUPTION,
        ("POLICE", "LA", "HOUSING", "FIRE", "YJS"),
    ),
)

# The first generated users follow this plan, so that every panel and sub-group has
# people from the right agencies even at a small scale; the rest are drawn at random.
USER_PLAN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("LA", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("POLICE", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("YJS", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("COMMHEALTH", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("LA", (Role.EXECUTIVE,)),
    ("POLICE", (Role.EXECUTIVE,)),
    ("LA", (Role.AGENCY_ADMIN,)),
    ("POLICE", (Role.AGENCY_ADMIN,)),
    ("SEC-MARLBECK", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("LANTERN", (Role.PRACTITIONER, Role.PANEL_MEMBER)),
    ("HOUSING", (Role.PANEL_MEMBER,)),
    ("FIRE", (Role.PANEL_MEMBER,)),
    ("HOSP", (Role.PRACTITIONER,)),
    ("LA", (Role.ANALYST,)),
    ("PBU", (Role.PARTNERSHIP_OFFICER,)),
    ("ICB", (Role.AGENCY_ADMIN,)),
    ("PRI-BRACKEN", (Role.PRACTITIONER,)),
    ("KINDRED", (Role.PRACTITIONER,)),
    ("COLLEGE", (Role.PRACTITIONER,)),
    ("EY-FAMHUB", (Role.PRACTITIONER,)),
)
