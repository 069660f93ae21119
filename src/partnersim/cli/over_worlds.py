"""What ``run`` and ``compare --worlds`` print: outcomes over plausible worlds × seeds.

The tables come from :class:`partnersim.worlds.tables.OverWorlds`; this module only prints
them, with the ensemble's summary line first and, for a comparison, the share of worlds in
which each ranking holds last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partnersim.runs.tables import TextTable
    from partnersim.worlds.tables import OverWorlds


def print_over_worlds(
    console: Any,
    over: OverWorlds,
    heading: str,
    runs: str,
    print_table: Callable[[Any, TextTable, str], None],
) -> None:
    """Print what ``run`` and ``compare --worlds`` found.

    The ensemble, the tables over worlds × seeds and, for a comparison, the share of worlds in
    which each ranking holds.

    Args:
        console: the rich console to print on.
        over: the tables (:class:`~partnersim.worlds.tables.OverWorlds`).
        heading: the ensemble's summary line (:meth:`Worlds.summary
            <partnersim.worlds.ensemble.Worlds.summary>`).
        runs: what the tables pool, e.g. ``"3 worlds × 10 seeds, 40 quarters"``.
        print_table: prints a text table with its title on ``console``.
    """
    console.print(heading, soft_wrap=True, markup=False)
    for title, table in over.text_tables(runs):
        print_table(console, table, title)
    sentences = over.sentences()
    if sentences:
        reference = over.rankings["reference"].iloc[0]
        console.print(
            f"\nShare of worlds in which each ranking holds, against {reference} (per world: "
            "mean over seeds of the paired difference; resolved: its 95% interval excludes 0)",
            soft_wrap=True,
            markup=False,
        )
        for sentence in sentences:
            console.print(f"  {sentence}", soft_wrap=True, markup=False)
