"""The demo company: ~200 people (or 100k), one scenario month, and how everyone behaves.

A test double and demo fixture outside the runtime path: `wecomply` never imports it.
Everything is deterministic from a seed; nothing here reads the clock or does I/O on import.
"""

from demo_company.behaviour import Behaviour, Persona, Plan
from demo_company.build import build_company, default_departments
from demo_company.clicking import Click, PlannedClick, cards_received, click_due_cards, parse_task_id, planned_clicks
from demo_company.history import previous_assessments
from demo_company.model import (
    AssessmentRecord,
    Cast,
    Company,
    Department,
    Employee,
    Incident,
    Joiner,
    Leaver,
    Meeting,
    Mover,
    Notice,
    Scenario,
    Violation,
)
from demo_company.roster_csv import HEADER as ROSTER_HEADER
from demo_company.roster_csv import roster_rows, write_roster_csv
from demo_company.simulator_setup import manual_meetings, meetings_for_api, populate_simulator, refresh_meetings

__all__ = [
    "ROSTER_HEADER",
    "AssessmentRecord",
    "Behaviour",
    "Cast",
    "Click",
    "Company",
    "Department",
    "Employee",
    "Incident",
    "Joiner",
    "Leaver",
    "Meeting",
    "Mover",
    "Notice",
    "Persona",
    "Plan",
    "PlannedClick",
    "Scenario",
    "Violation",
    "build_company",
    "cards_received",
    "click_due_cards",
    "default_departments",
    "manual_meetings",
    "meetings_for_api",
    "parse_task_id",
    "planned_clicks",
    "populate_simulator",
    "previous_assessments",
    "refresh_meetings",
    "roster_rows",
    "write_roster_csv",
]
