"""The one error an export or a read-back raises, worded for whoever called it.

The Python API and the ``coprod export`` command take the same options under different names
(``min_count`` and ``--min-count``); each message names the option the way its reader typed it.
"""

from __future__ import annotations

#: Option names as the command line spells them; the API uses the parameter names.
CLI_NAMES = {
    "out": "--out",
    "format": "--format",
    "labels": "--labels",
    "deidentify": "--deidentify",
    "keep_text": "--keep-text",
    "site": "--site",
    "min_count": "--min-count",
}


class ExportError(ValueError):
    """An export that cannot be written (or read back); nothing was written. The message says what to do.

    ``template`` names options as ``{min_count}``, ``{out}`` and so on; ``str()`` gives the API wording and
    :meth:`for_command_line` the ``coprod export`` wording.
    """

    def __init__(self, template: str, **values: object):
        self.template, self.values = template, values
        super().__init__(self._render({name: name for name in CLI_NAMES}))

    def _render(self, names: dict[str, str]) -> str:
        return self.template.format(**names, **self.values)

    def for_command_line(self) -> str:
        return self._render(CLI_NAMES)
