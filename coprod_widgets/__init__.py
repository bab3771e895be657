"""coprod: plan, record and evaluate co-production in health and social care.

Kept light on purpose: importing the package pulls in neither pandas nor Altair, nor (until they are
asked for) SQLAlchemy and pydantic, so the site app can show its first form quickly. Heavy modules are
imported where they are used.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"

#: What ``from coprod_widgets import X`` gives, and the module it comes from. Imported when first asked for,
#: so that the site app's first page does not wait for SQLAlchemy and pydantic (about 0.4 s).
_EXPORTS = {
    "FieldProblem": "problems",
    "RecordInvalid": "problems",
    "RECORD_TYPES": "records",
    "validate": "records",
    "Store": "store",
}

if TYPE_CHECKING:
    from .problems import FieldProblem, RecordInvalid
    from .records import RECORD_TYPES, validate
    from .store import Store


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RECORD_TYPES", "FieldProblem", "RecordInvalid", "Store", "__version__", "validate"]
