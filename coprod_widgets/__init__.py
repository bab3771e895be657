"""coprod: plan, record and evaluate co-production in health and social care.

Kept light on purpose: importing the package pulls in neither pandas nor Altair, so the
site app can show its first form quickly. Heavy modules are imported where they are used.
"""

from importlib.metadata import PackageNotFoundError, version

from .problems import FieldProblem, RecordInvalid
from .records import RECORD_TYPES, validate
from .store import Store

try:
    __version__ = version("coprod")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0"

__all__ = ["RECORD_TYPES", "FieldProblem", "RecordInvalid", "Store", "__version__", "validate"]
