"""Words the generator draws on: common British names, nicknames, events and job titles.

The names are common ones, so any match with a real person is chance; none is taken
from the reference annual report (tests/test_demo.py checks that when it is present).
Event summaries say what happened in general terms and never identify anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguarding.core.models import AgencyKind
from safeguarding.core.roles import Role

# fmt: off
ADULT_GIVEN_NAMES = (
    "Adam", "Aisha", "Alan", "Alison", "Amir", "Andrew", "Angela", "Ben", "Bethany", "Carl",
    "Chloe", "Chris", "Claire", "Colin", "Craig", "Daniel", "David", "Dawn", "Deborah",
    "Dominic", "Donna", "Elaine", "Eleanor", "Emma", "Farah", "Fiona", "Gavin", "Gemma",
    "Gillian", "Graham", "Hannah", "Harriet", "Hayley", "Helen", "Ian", "Jamie", "Jasmine",
    "Jenna", "Joanne", "Jonathan", "Julie", "Karen", "Kieran", "Kirsty", "Laura", "Leanne",
    "Lee", "Lindsay", "Lisa", "Louise", "Marcus", "Mohammed", "Nadia", "Natalie", "Neil",
    "Nicola", "Nina", "Owen", "Paul", "Phil", "Rachel", "Ravinder", "Rebecca", "Rhys", "Rosie",
    "Ruth", "Sam", "Sanjay", "Sarah", "Shona", "Simon", "Sophie", "Steve", "Stuart", "Susan",
    "Tariq", "Tom", "Trevor", "Vanessa", "Vicky", "Wendy", "Yasmin", "Zoe",
)

FAMILY_NAMES = (
    "Ahmed", "Akhtar", "Atkinson", "Bailey", "Barker", "Barnes", "Begum", "Bennett", "Booth",
    "Brennan", "Brooks", "Carter", "Chambers", "Chapman", "Cole", "Cooper", "Davies", "Dixon",
    "Doyle", "Dunn", "Edwards", "Ellis", "Evans", "Fletcher", "Foster", "Fox", "Gallagher",
    "Gill", "Green", "Hall", "Harris", "Hartley", "Hewitt", "Holt", "Hughes", "Hussain",
    "Iqbal", "Jackson", "Jones", "Kaur", "Kelsall", "Khan", "Kowalski", "Lambert", "Lawson",
    "Lees", "Lewis", "Lloyd", "Mahmood", "Marshall", "Mason", "Mitchell", "Moore", "Morgan",
    "Murphy", "Nash", "Nolan", "Nowak", "Okoye", "Osei", "Owen", "Palmer", "Parker", "Patel",
    "Pearson", "Phillips", "Price", "Quinn", "Rahman", "Reid", "Richards", "Riley", "Roberts",
    "Robinson", "Sharpe", "Shaw", "Singh", "Smith", "Stone", "Sutton", "Taylor", "Thomas",
    "Townsend", "Turner", "Walker", "Ward", "Watson", "Webb", "White", "Whittaker", "Williams",
    "Wilson", "Wood", "Wright", "Yates",
)

CHILD_GIVEN_NAMES_FEMALE = (
    "Aaliyah", "Abigail", "Amelia", "Ava", "Charlotte", "Courtney", "Daisy", "Elizabeth",
    "Ella", "Ellie", "Emily", "Evie", "Freya", "Grace", "Harper", "Isabella", "Isla", "Jessica",
    "Katie", "Layla", "Lily", "Maisie", "Mia", "Millie", "Nevaeh", "Olivia", "Phoebe", "Poppy",
    "Rebecca", "Ruby", "Shannon", "Sophia", "Summer", "Willow", "Zara",
)

CHILD_GIVEN_NAMES_MALE = (
    "Alexander", "Alfie", "Archie", "Arthur", "Benjamin", "Bradley", "Callum", "Charlie",
    "Connor", "Daniel", "Dylan", "Ethan", "Finley", "George", "Harry", "Jack", "Jacob",
    "Jayden", "Jordan", "Joseph", "Kai", "Kayden", "Leo", "Liam", "Logan", "Lucas", "Matthew",
    "Muhammad", "Noah", "Oliver", "Oscar", "Reggie", "Riley", "Samuel", "Theo", "Thomas",
    "Tyler", "William",
)
# fmt: on

# What a child is called on one agency's system and not another's.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Abigail": ("Abbie", "Abi"),
    "Alexander": ("Alex", "Xander"),
    "Alfie": ("Alf",),
    "Benjamin": ("Ben", "Benji"),
    "Bradley": ("Brad",),
    "Callum": ("Cal",),
    "Charlotte": ("Lottie", "Charlie"),
    "Daniel": ("Dan", "Danny"),
    "Elizabeth": ("Lizzie", "Beth", "Libby"),
    "Isabella": ("Bella", "Izzy"),
    "Jacob": ("Jake",),
    "Jessica": ("Jess", "Jessie"),
    "Joseph": ("Joe", "Joey"),
    "Katie": ("Kate", "Katy"),
    "Matthew": ("Matt", "Matty"),
    "Millie": ("Mils",),
    "Muhammad": ("Mohammed", "Mohammad"),
    "Oliver": ("Ollie", "Olly"),
    "Olivia": ("Liv", "Livvy"),
    "Phoebe": ("Phebe",),
    "Rebecca": ("Becky", "Becca"),
    "Samuel": ("Sam", "Sammy"),
    "Sophia": ("Sophie",),
    "Theo": ("Theodore",),
    "Thomas": ("Tom", "Tommy"),
    "William": ("Will", "Billy", "Liam"),
}


@dataclass(frozen=True)
class EventKind:
    event_type: str
    summaries: tuple[str, ...]
    min_age: int = 0
    max_age: int = 17


# Events each kind of agency records, keyed by agency code where the code says more than
# the kind (the "other" agencies), else by kind.
EVENTS: dict[str, tuple[EventKind, ...]] = {
    AgencyKind.LOCAL_AUTHORITY: (
        EventKind(
            "Contact to the MASH",
            (
                "Contact from a school about an injury the child could not explain; MASH decision: strategy discussion.",
                "Contact from a neighbour worried about the children being left alone at night; information gathered from partners.",
                "Referral from the health visitor about home conditions; MASH decision: early help offered.",
                "Police notification after an incident at the family home; MASH decision: no further action, advice given.",
            ),
        ),
        EventKind(
            "Early help assessment",
            (
                "Family agreed to an early help assessment; lead practitioner from the family hub.",
                "Early help plan reviewed with the family; school attendance improving.",
            ),
        ),
        EventKind(
            "Strategy discussion",
            (
                "Strategy discussion with police and health; section 47 enquiry agreed.",
                "Strategy discussion held; threshold for section 47 not met, child in need assessment to continue.",
            ),
        ),
        EventKind(
            "Child and family assessment",
            (
                "Assessment completed within 45 working days; outcome: child in need plan.",
                "Assessment completed; family stepped down to early help.",
            ),
        ),
        EventKind(
            "Child protection conference",
            (
                "Initial conference: child made subject to a child protection plan under the category of neglect.",
                "Review conference: plan continued; progress on home conditions noted.",
                "Review conference: plan ended, child in need support to continue.",
            ),
        ),
        EventKind(
            "Exploitation concern",
            (
                "Social worker shared concerns about older associates and unexplained money; referred to the risk assessment meeting.",
                "Exploitation screening tool completed with the young person.",
            ),
            min_age=10,
        ),
    ),
    AgencyKind.POLICE: (
        EventKind(
            "Missing episode",
            (
                "Reported missing by carer overnight; found the next afternoon in a neighbouring town.",
                "Reported missing after school; came home unaided late in the evening.",
                "Reported missing from placement; located by officers at a friend's address.",
            ),
            min_age=8,
        ),
        EventKind(
            "Police protection",
            (
                "Child taken into police protection after officers found the home unsafe; placed with family friends.",
                "Police protection powers used overnight; handed to children's social care the next morning.",
            ),
        ),
        EventKind(
            "Domestic abuse incident",
            (
                "Officers attended a domestic abuse incident at the home; child present; notification sent to the MASH.",
                "Domestic abuse incident between adults in the household; child asleep upstairs; risk assessed as medium.",
            ),
        ),
        EventKind(
            "Exploitation concern",
            (
                "Young person stopped with a large amount of cash and two phones; concerns of criminal exploitation.",
                "Intelligence suggests the young person is being asked to carry items for older males.",
                "Young person found in an unfamiliar area far from home late at night; exploitation screening completed.",
            ),
            min_age=10,
        ),
        EventKind(
            "Voluntary attendance interview",
            (
                "Young person interviewed under caution with an appropriate adult; released pending investigation.",
            ),
            min_age=10,
        ),
    ),
    AgencyKind.HEALTH_TRUST: (
        EventKind(
            "A&E attendance",
            (
                "Attended the emergency department with an injury; explanation consistent; paediatric liaison informed.",
                "Attended the emergency department after alcohol intake; discharged to a parent.",
                "Attended the emergency department with a head injury; safeguarding checks completed.",
            ),
        ),
        EventKind(
            "Health visitor contact",
            (
                "Health visitor home visit; concerns about sleeping arrangements discussed with the parent.",
                "Developmental review completed; no concerns raised.",
            ),
            max_age=4,
        ),
        EventKind(
            "Missed health appointment",
            (
                "Second missed appointment in a row; was not brought; GP and health visitor informed.",
            ),
        ),
        EventKind(
            "CAMHS referral",
            (
                "Referral to child and adolescent mental health services for low mood; accepted for assessment.",
                "Referral for self-harm; urgent assessment offered within the week.",
            ),
            min_age=5,
        ),
    ),
    AgencyKind.HEALTH_GP: (
        EventKind(
            "GP appointment",
            (
                "Seen by the GP; weight below expected; follow-up booked.",
                "Seen with a parent; parent disclosed stress at home; signposted to support.",
            ),
        ),
        EventKind(
            "Missed health appointment",
            ("Immunisation appointment missed twice; practice nurse contacted the family.",),
        ),
    ),
    AgencyKind.SCHOOL: (
        EventKind(
            "School suspension",
            (
                "Fixed-period suspension of two days for persistent disruptive behaviour.",
                "Suspension of three days following a fight off site; reintegration meeting held.",
            ),
            min_age=5,
        ),
        EventKind(
            "Safeguarding concern logged by school",
            (
                "Designated safeguarding lead recorded a disclosure made to a teaching assistant; contact made to the MASH.",
                "Pupil arrived hungry and in unwashed clothes several days running; concern logged and family spoken to.",
                "Pupil seen with unexplained new items and talking about older friends; concern logged.",
            ),
        ),
        EventKind(
            "Persistent absence",
            (
                "Attendance below 90% this term; attendance officer meeting with the family.",
                "Attendance below 50% this half-term; referred to the children missing education officer.",
            ),
            min_age=5,
        ),
    ),
    AgencyKind.COLLEGE: (
        EventKind(
            "Safeguarding concern logged by college",
            (
                "Student disclosed that they are staying with friends after an argument at home; housing advice given.",
                "Student seen being collected by unknown adults; concern logged and shared with the MASH.",
            ),
        ),
        EventKind(
            "Persistent absence",
            ("Attendance below 80% on the study programme; tutor meeting held.",),
        ),
    ),
    AgencyKind.EARLY_YEARS: (
        EventKind(
            "Safeguarding concern logged by setting",
            (
                "Key worker noticed bruising on the child's arm; recorded on a body map and shared with the MASH.",
                "Child collected late several times by an adult who appeared unwell; concern logged.",
            ),
        ),
        EventKind("Funded place started", ("Child started a funded early years place.",)),
    ),
    AgencyKind.VOLUNTARY: (
        EventKind(
            "Return home interview",
            (
                "Return home interview completed within 72 hours; young person spoke about pressure from peers.",
                "Return home interview offered; young person declined; carer spoken to instead.",
            ),
            min_age=8,
        ),
        EventKind(
            "Support session",
            (
                "One-to-one session on healthy relationships.",
                "Family support session at home; parenting routines discussed.",
            ),
        ),
        EventKind(
            "Exploitation concern",
            (
                "Youth worker shared that the young person has a new older boyfriend and new phone; passed to the exploitation team.",
            ),
            min_age=10,
        ),
    ),
    "YJS": (
        EventKind(
            "Youth justice assessment",
            ("Assessment completed after an out of court disposal; intervention plan agreed.",),
            min_age=10,
        ),
        EventKind(
            "Out of court disposal",
            ("Youth conditional caution given; six sessions with a youth justice officer.",),
            min_age=10,
        ),
        EventKind(
            "Exploitation concern",
            ("Young person told their officer that they owe money to older males.",),
            min_age=10,
        ),
    ),
    "HOUSING": (
        EventKind(
            "Homelessness assessment",
            (
                "Family presented as homeless after eviction; placed in temporary accommodation.",
                "Tenancy sustainment visit; home conditions poor; concern shared with the MASH.",
            ),
        ),
    ),
    "FIRE": (
        EventKind(
            "Home fire safety visit",
            (
                "Home fire safety visit after a referral; hoarding and blocked exits noted; concern shared.",
                "Home fire safety visit; smoke alarms fitted; no concerns.",
            ),
        ),
    ),
}

# What a restricted police entry says: only the police and the panel see it.
RESTRICTED_SUMMARIES = (
    "Police intelligence graded B2 about associates; restricted to police and the risk assessment meeting.",
    "Intelligence from a partner force about a location the young person visits; restricted.",
    "Covert source information about the young person's contacts; restricted.",
)


def events_for(agency_code: str, agency_kind: str) -> tuple[EventKind, ...]:
    return EVENTS.get(agency_code) or EVENTS.get(agency_kind, ())


# Job titles by role, then by agency kind; "" is the fallback for any agency.
JOB_TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    Role.PRACTITIONER: {
        AgencyKind.LOCAL_AUTHORITY: (
            "Social worker",
            "Senior social worker",
            "Early help practitioner",
            "MASH social worker",
        ),
        AgencyKind.POLICE: (
            "Detective constable",
            "Police constable, missing persons",
            "Sergeant, MASH",
        ),
        AgencyKind.HEALTH_TRUST: (
            "Safeguarding nurse",
            "Health visitor",
            "School nurse",
            "Paediatric liaison nurse",
        ),
        AgencyKind.HEALTH_GP: ("GP safeguarding lead", "Practice nurse"),
        AgencyKind.SCHOOL: (
            "Designated safeguarding lead",
            "Deputy designated safeguarding lead",
            "Pastoral lead",
        ),
        AgencyKind.COLLEGE: ("Designated safeguarding lead", "Student welfare officer"),
        AgencyKind.EARLY_YEARS: ("Nursery manager", "Early years practitioner"),
        AgencyKind.VOLUNTARY: (
            "Youth worker",
            "Family support worker",
            "Return home interview worker",
        ),
        "": ("Case worker", "Youth justice officer", "Housing officer"),
    },
    Role.PANEL_MEMBER: {
        AgencyKind.LOCAL_AUTHORITY: ("Team manager, exploitation", "Contextual safeguarding lead"),
        AgencyKind.POLICE: ("Detective sergeant, exploitation", "Missing persons coordinator"),
        AgencyKind.HEALTH_TRUST: ("Named nurse for safeguarding",),
        AgencyKind.SCHOOL: ("Assistant head, inclusion",),
        AgencyKind.VOLUNTARY: ("Exploitation service lead",),
        "": ("Service manager", "Fire safety and prevention lead", "Tenancy enforcement lead"),
    },
    Role.EXECUTIVE: {
        AgencyKind.LOCAL_AUTHORITY: ("Director of children's services",),
        AgencyKind.POLICE: ("Detective chief superintendent, public protection",),
        AgencyKind.HEALTH_ICB: ("Director of nursing and quality",),
        "": ("Head of service",),
    },
    Role.ANALYST: {"": ("Performance analyst", "Data analyst", "Business intelligence officer")},
    Role.AGENCY_ADMIN: {"": ("Safeguarding administrator", "Business support officer")},
    Role.SYSTEM_ADMIN: {"": ("Systems administrator",)},
    Role.PARTNERSHIP_OFFICER: {
        "": ("Partnership officer", "Learning and development officer", "Quality assurance officer")
    },
    Role.IG_LEAD: {"": ("Data protection officer",)},
}


def job_titles(role: str, agency_kind: str) -> tuple[str, ...]:
    by_kind = JOB_TITLES.get(role, {})
    return by_kind.get(agency_kind) or by_kind.get("", ("Officer",))


# Postcodes in an area code no real postcode uses (WM), so no address is ever real.
POSTCODE_DISTRICTS = ("WM1", "WM2", "WM3", "WM4", "WM7", "WM9", "WM12", "WM14")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
