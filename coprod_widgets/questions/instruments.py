"""The shared instruments that come with coprod: XLSForms in ``data/instruments/``, every site answers them.

They are ordinary question sets for the whole programme, told apart by their form ids (``coprod_...``,
kept for them): the self-assessment (a Ladder of Co-production step and the eight learning points scored
1 to 5) and the 4Pi involvement reflection (principles, purpose, presence, process, impact). The site app
shows them in its Self-assessment section, not with a site's own questions.

:func:`install` stores them, and stores a new version when coprod ships a changed file: ``coprod site add``
(with a store's first programme), ``coprod demo`` and ``coprod upgrade`` call it, and migration 0004 moves
self-assessments saved before into the self-assessment's answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..problems import FieldProblem
from ..settings import instruments_dir
from .form import FormDefinition

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..store import Store
    from .library import Added

#: Form ids starting with this are kept for the instruments: a form of one's own needs another.
RESERVED_PREFIX = "coprod_"
INSTALLED_BY = "coprod (shared instruments)"


@dataclass(frozen=True)
class Instrument:
    key: str
    form_id: str
    file_name: str
    name: str

    @property
    def path(self) -> Path:
        return instruments_dir() / self.file_name

    @property
    def source(self) -> str:
        return f"data/instruments/{self.file_name}"


SELF_ASSESSMENT = Instrument("self_assessment", "coprod_self_assessment", "self-assessment.md", "Self-assessment")
REFLECTION_4PI = Instrument(
    "reflection_4pi", "coprod_4pi_reflection", "4pi-reflection.md", "4Pi involvement reflection"
)
INSTRUMENTS = (SELF_ASSESSMENT, REFLECTION_4PI)
_BY_FORM_ID = {instrument.form_id: instrument for instrument in INSTRUMENTS}


def instrument_of(question_set: Any) -> Instrument | None:
    """The instrument a stored question set (a record, or a row with ``site_id`` and ``definition``) is a version of."""
    if isinstance(question_set, dict):
        definition, site_id = question_set.get("definition"), question_set.get("site_id")
    else:
        definition, site_id = getattr(question_set, "definition", None), getattr(question_set, "site_id", None)
    if isinstance(site_id, float) and site_id != site_id:  # NaN: a frame's empty site
        site_id = None
    if site_id is not None or not isinstance(definition, dict):
        return None
    return _BY_FORM_ID.get(str(definition.get("form_id", "")))


def is_instrument(question_set: Any) -> bool:
    return instrument_of(question_set) is not None


def shipped_form(instrument: Instrument) -> FormDefinition:
    """The instrument as this coprod ships it (reads the XLSForm with pyxform: not for the site app's first page)."""
    from .xlsform import read_xlsform

    form = read_xlsform(instrument.path)
    if form.form_id != instrument.form_id:
        raise ValueError(f"{instrument.path} has form_id {form.form_id!r}, not {instrument.form_id!r}.")
    return form


def install(store: Store, who: str = INSTALLED_BY, conn: Connection | None = None) -> list[Added]:
    """Store each instrument for the whole programme; a shipped file that changed becomes the next version."""
    from .library import add_form

    return [
        add_form(store, shipped_form(item), name=item.name, source=item.source, site_id=None, who=who, conn=conn)
        for item in INSTRUMENTS
    ]


def reserved_problems(form: FormDefinition, name: str, site_id: int | None) -> list[str]:
    """Why a form of one's own cannot be added as given: it would pass for, or become a version of, an instrument."""
    problems = []
    if form.form_id.startswith(RESERVED_PREFIX):
        problems.append(
            f"Its form_id {form.form_id!r} starts with {RESERVED_PREFIX!r}, which is kept for the instruments that "
            "come with coprod. Give the form another form_id (in its settings sheet)."
        )
    taken = {item.name.casefold() for item in INSTRUMENTS}
    if site_id is None and name.strip().casefold() in taken:
        problems.append(f"{name.strip()!r} is the name of an instrument that comes with coprod. Choose another --name.")
    return problems


def linked_problems(question_set: Any, partner: Any, answers: dict[str, Any]) -> list[FieldProblem]:
    """Checks an instrument needs beyond its form: the partner answering is in the role group given."""
    if instrument_of(question_set) is None or partner is None:
        return []
    role = answers.get("respondent_role")
    own = getattr(partner.role_group, "value", partner.role_group)
    if role in (None, "") or role == own:
        return []
    label = getattr(partner.role_group, "label", str(own))
    return [
        FieldProblem(
            "answers.respondent_role",
            f"Your role group: {partner.display_name} is registered as {label.lower()}. "
            "Choose that role group or another partner.",
        )
    ]


__all__ = [
    "INSTRUMENTS",
    "REFLECTION_4PI",
    "SELF_ASSESSMENT",
    "Instrument",
    "install",
    "instrument_of",
    "is_instrument",
    "linked_problems",
    "reserved_problems",
    "shipped_form",
]
