"""``coprod report``: the programme report or one site's report, as one HTML file that opens offline."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import describe_db as describe
from .support import open_store


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


class _Bar:
    """The report's progress as a tqdm bar on stderr (hidden when stderr is not a terminal)."""

    def __init__(self):
        from tqdm import tqdm

        self.bar = tqdm(total=1, unit="step", desc="Starting the report kernel", leave=False, disable=None)

    def __call__(self, step: str, done: int, total: int) -> None:
        self.bar.total = total
        self.bar.set_description(step, refresh=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


@click.command()
@click.option(
    "--programme",
    "programme",
    is_flag=True,
    help="The whole programme: overview, every learning point with evidence from the sites, and the GRIPP2 short form.",
)
@click.option(
    "--site",
    "site",
    metavar="NAME",
    default=None,
    help="One site's story through the eight learning points (the site's name as  coprod site list  shows it).",
)
@click.option(
    "--out",
    "out",
    required=True,
    metavar="FILE.html",
    type=click.Path(path_type=Path),
    help="The HTML file to write (replaced if it exists). It opens in any browser with no network.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print the report to a PDF beside it (FILE.pdf), with the Chromium or Chrome on this computer.",
)
@click.pass_context
def report(ctx: click.Context, programme: bool, site: str | None, out: Path, pdf: bool) -> None:
    """Write a report as one HTML file with its charts inside, ready to email or put on a shared drive.

    Choose --programme or --site NAME. The report runs the report notebook in workbooks/reports/
    on the store, shows no code, names no partners, and says when and from which store it was made.
    """
    from ..reports import ReportError, render_report
    from ..reports.run import check_request

    if programme == (site is not None):
        raise click.ClickException(
            "Choose what to report: --programme for the whole programme, or --site NAME for one site."
        )
    url = ctx.obj["db"]
    open_store(ctx)  # a plain message now if the store cannot be opened
    try:
        site = check_request(out, site, url, pdf).site
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    what = f"the site {site!r}" if site else "the programme"
    click.echo(f"Making the report on {what} from {describe(url)}...")
    bar = _Bar()
    try:
        made = render_report(out, site=site, url=url, pdf=pdf, progress=bar)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    click.echo(f"Wrote {made.html} ({_size(made.size)}) in {made.seconds:.1f} s.")
    if made.pdf:
        click.echo(f"Printed {made.pdf} ({_size(made.pdf.stat().st_size)}).")
