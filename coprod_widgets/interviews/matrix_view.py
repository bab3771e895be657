"""The matrix as a live panel: choose rows and sub-codes, click a count to read the passages behind it.

    MatrixView(store).widget          # in JupyterLab or Voilà

Rows are drawn a page at a time (25 by default), so 600 sites are 25 rows of buttons on screen, not 600: a
redraw costs the same at 6 sites and at 600. Each matrix is worked out once per choice of rows and sub-codes;
:meth:`MatrixView.reload` reads the store again after more coding.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from .matrix import BY, CODED, Matrix, cell_sentence, code_matrix, passage_html, store_matrix

PAGE_ROWS = 25


def _width(em: float) -> widgets.Layout:
    """A layout of its own for each widget: a shared one would be closed with the first widget closed."""
    return widgets.Layout(width=f"{em}em")


class MatrixView:
    """``source`` is a store (every site a row) or a list of excerpts, with ``book`` (the codebook) and, to list
    rows not coded yet, ``transcripts`` per row for each ``by`` (``{"site": Counter, "role": Counter}``)."""

    def __init__(self, source, book=None, transcripts: dict | None = None, rows: list[str] | None = None,
                 page_rows: int = PAGE_ROWS):  # fmt: skip
        self.source, self.book, self.transcripts, self.rows = source, book, transcripts or {}, rows
        if not hasattr(source, "records") and book is None:
            raise ValueError("Give the codebook (book=) with a list of excerpts, or give the store instead.")
        self.page_rows = page_rows
        self.page = 0
        self._matrices: dict[tuple[str, bool], Matrix] = {}
        self.by = widgets.RadioButtons(
            options=[("Sites", "site"), ("Role groups", "role")], value="site", description="Rows",
            orientation="horizontal",
        )  # fmt: skip
        self.roll_up = widgets.RadioButtons(
            options=[("Rolled up under each learning point", True), ("Every code", False)], value=True,
            description="Sub-codes", orientation="horizontal", style={"description_width": "initial"},
        )  # fmt: skip
        self.previous = widgets.Button(description="Previous rows", icon="arrow-left", tooltip="Show the rows before")
        self.next = widgets.Button(description="Next rows", icon="arrow-right", tooltip="Show the rows after")
        self.where = widgets.HTML()
        self.summary = widgets.HTML()
        self.grid = widgets.VBox()
        self.detail = widgets.HTML(
            "<p><em>Click a count to read the passages behind it.</em></p>", layout=widgets.Layout(margin="1em 0 0 0")
        )
        self.chosen: tuple[str, str] | None = None
        self.by.observe(self._choice_changed, names="value")
        self.roll_up.observe(self._choice_changed, names="value")
        self.previous.on_click(lambda _: self.turn(-1))
        self.next.on_click(lambda _: self.turn(1))
        self.widget = widgets.VBox(
            [
                self.by,
                self.roll_up,
                self.summary,
                self.grid,
                widgets.HBox([self.previous, self.where, self.next]),
                self.detail,
            ]  # fmt: skip
        )
        self.redraw()

    # ---- the matrix ------------------------------------------------------------------------------------

    @property
    def matrix(self) -> Matrix:
        key = (self.by.value, self.roll_up.value)
        if key not in self._matrices:
            self._matrices[key] = self._build(*key)
        return self._matrices[key]

    def _build(self, by: str, roll_up: bool) -> Matrix:
        if hasattr(self.source, "records"):
            return store_matrix(self.source, by=by, roll_up=roll_up)
        rows = self.rows if by == "site" else None
        return code_matrix(self.source, self.book, by, roll_up, rows=rows, transcripts=self.transcripts.get(by))

    def reload(self) -> None:
        """Read the store again (after more coding) and redraw."""
        self._matrices.clear()
        self.redraw()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.matrix.rows) // self.page_rows))

    # ---- drawing ---------------------------------------------------------------------------------------

    def _choice_changed(self, _change) -> None:
        self.page, self.chosen = 0, None
        self.detail.value = "<p><em>Click a count to read the passages behind it.</em></p>"
        self.redraw()

    def turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self.redraw()

    def redraw(self) -> None:
        """Draw the current page of rows: a button for each count above zero, words for rows not coded."""
        matrix = self.matrix
        old = self.grid.children
        start = self.page * self.page_rows
        shown = matrix.rows[start : start + self.page_rows]
        lines = [self._header(matrix)] + [self._row(matrix, row) for row in shown]
        self.grid.children = lines
        for line in old:  # closed, layouts too, so that paging for an hour does not pile up widgets in the kernel
            for child in (*line.children, line):
                child.layout.close()
                child.close()
        total = len(matrix.rows)
        self.summary.value = f"<p>{escape(matrix.summary())} Counts are of passages; two coders' count once.</p>"
        self.where.value = (
            f"<p>{matrix.heading}s {start + 1} to {start + len(shown)} of {total}</p>" if total else "<p>No rows.</p>"
        )
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    def _header(self, matrix: Matrix) -> widgets.HBox:
        cells = [widgets.HTML(f"<strong>{escape(matrix.heading)}</strong>", layout=_width(16))]
        cells.append(widgets.HTML("<strong>Transcripts</strong>", layout=_width(7)))
        for column in matrix.columns:
            title = escape(column.name, quote=True)
            cells.append(widgets.HTML(f'<strong title="{title}">{escape(column.label)}</strong>', layout=_width(4.5)))
        return widgets.HBox(cells)

    def _row(self, matrix: Matrix, row) -> widgets.HBox:
        cells = [
            widgets.HTML(f"{escape(row.label)}", layout=_width(16)),
            widgets.HTML(str(row.transcripts), layout=_width(7)),
        ]
        if row.state != CODED:
            cells.append(widgets.HTML(f"<em>{escape(row.says())}</em>"))
            return widgets.HBox(cells)
        for column in matrix.columns:
            count = row.count(column.key)
            if not count:
                cells.append(widgets.HTML("0", layout=_width(4.5)))
                continue
            button = widgets.Button(
                description=str(count), tooltip=cell_sentence(count, column.key, row.label), layout=_width(4.5)
            )
            button.on_click(lambda _, label=row.label, key=column.key: self.show(label, key))
            cells.append(button)
        return widgets.HBox(cells)

    def show(self, label: str, key: str) -> None:
        """The passages behind one count, below the grid, every text escaped."""
        matrix = self.matrix
        cell = matrix.cell(label, key)
        column = next(c for c in matrix.columns if c.key == key)
        self.chosen = (label, key)
        if cell is None:
            self.detail.value = f"<p>No passage at {escape(label)} is coded {escape(key)}.</p>"
            return
        items = "".join(passage_html(p, with_site=matrix.by == "role") for p in cell.passages())
        self.detail.value = (
            f"<h4>{escape(label)}, {escape(column.label)} {escape(column.name)}: "
            f"{escape(cell_sentence(cell.count, key, label))}</h4><ol>{items}</ol>"
        )


__all__ = ["BY", "PAGE_ROWS", "MatrixView"]
