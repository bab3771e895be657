"""``python -m coprod_widgets.cli``: the same as the ``coprod`` command (the systemd units use it)."""

from . import main

main()
