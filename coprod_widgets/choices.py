"""Fixed lists of answers, each with a stable code (stored) and a plain-English label (shown).

Codes never change once data has been recorded with them; labels may be reworded freely.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class Choice(str, Enum):
    """A choice stored by its code; ``label`` is what people read."""

    def __new__(cls, code: str, label: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> Choice | None:
        """Someone who types the label a message lists ("Process", "behaviour or culture") means its code."""
        return _by_words(cls, value, lambda member: (member.value, member.label))

    @classmethod
    def label_of(cls, code: object) -> str:
        """The label of ``code``; the code itself when it is none of these choices (a value from elsewhere)."""
        try:
            return cls(code).label
        except ValueError:
            return str(code)

    @classmethod
    def options(cls) -> list[tuple[str, str]]:
        """(label, code) pairs, the shape ipywidgets dropdowns take."""
        return [(member.label, member.value) for member in cls]


def _by_words(enum: type[Enum], value: object, words) -> Enum | None:
    """The member one of whose ``words`` is ``value``, ignoring case and spaces around it; else None."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().casefold()
    return next((member for member in enum if wanted in {str(word).casefold() for word in words(member)}), None)


class RoleGroup(Choice):
    LIVED_EXPERIENCE = ("lived_experience", "Person with lived experience")
    CARER = ("carer", "Carer")
    CLINICIAN = ("clinician", "Clinician")
    MANAGER = ("manager", "Manager")
    COMMISSIONER = ("commissioner", "Commissioner")
    VOLUNTARY_SECTOR = ("voluntary_sector", "Voluntary sector")
    OTHER = ("other", "Other")

    @property
    def is_lived_experience(self) -> bool:
        """People who use services and carers, as opposed to staff and organisations."""
        return self in (RoleGroup.LIVED_EXPERIENCE, RoleGroup.CARER)


class Stage(Choice):
    PROBLEM_IDENTIFICATION = ("problem_identification", "Problem identification")
    DESIGN = ("design", "Design")
    DELIVERY = ("delivery", "Delivery")
    EVALUATION = ("evaluation", "Evaluation")


class LadderStep(IntEnum):
    """The seven steps of the Ladder of Co-production, lowest first."""

    COERCION = 1
    EDUCATING = 2
    INFORMING = 3
    CONSULTATION = 4
    ENGAGEMENT = 5
    CO_DESIGN = 6
    CO_PRODUCTION = 7

    @property
    def label(self) -> str:
        return f"{self.value} - {self.name.replace('_', '-').capitalize()}"

    @classmethod
    def _missing_(cls, value: object) -> LadderStep | None:
        """The label ("4 - Consultation") or the step's name ("Consultation") means its number."""
        return _by_words(cls, value, lambda step: (step.label, step.label.split(" - ", 1)[1]))

    @classmethod
    def options(cls) -> list[tuple[str, int]]:
        return [(member.label, member.value) for member in cls]


class AcceptanceResponse(Choice):
    ACCEPTED = ("accepted", "Accepted")
    QUERIED = ("queried", "Queried")
    NOT_ACCEPTED = ("not_accepted", "Not accepted")


class IdeaFate(Choice):
    SET_ASIDE = ("set_aside", "Set aside")
    ADOPTED = ("adopted_after_exploration", "Adopted after exploration")
    CONTESTED = ("still_contested", "Still contested")


class ChangeType(Choice):
    """Kinds of change, in the order co-production tends to produce them (learning point 6)."""

    BEHAVIOUR = ("behaviour_culture", "Behaviour or culture")
    PROCESS = ("process", "Process")
    SERVICE = ("service", "Service")


class Direction(Choice):
    POSITIVE = ("positive", "Positive")
    NEGATIVE = ("negative", "Negative")


LEARNING_POINTS: dict[str, str] = {
    "lp1": "The problem is identified together",
    "lp2": "Everyone stays actively involved",
    "lp3": "No pre-defined answers; non-negotiables declared up front",
    "lp4": "Leadership is facilitative and can come from anywhere",
    "lp5": "Expectations are realistic: change takes time",
    "lp6": "Change starts with culture and behaviour",
    "lp7": "Outcomes are evidenced, planned early",
    "lp8": "It is different everywhere",
}
