"""partnersim's Solara dashboard: live model, comparison, sweep explorer and robust design.

Serve it with ``partnersim dashboard`` (127.0.0.1 unless ``--host`` says otherwise), or show a
page inline in Jupyter::

    from partnersim.app import LiveModel
    LiveModel(scenario=my_scenario)

The pages are composed from partnersim's own components: Mesa 3.5's SolaraViz draws networks
only with integer node positions and static edge styles, and under the Vue 3 front end that
Solara installs by default its draggable grid stays empty.
"""

from __future__ import annotations

import solara

from partnersim.app.compare import ComparePage
from partnersim.app.live import LiveModel
from partnersim.app.optimisation import OptimisationExplorer
from partnersim.app.sweeps import SweepExplorer


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """The app frame: title and page tabs."""
    solara.Style(".kpi { font-variant-numeric: tabular-nums; }")
    return solara.AppLayout(children=children, title="partnersim — national mission partnership")


@solara.component
def Live():
    """The live model page."""
    solara.Title("partnersim · live model")
    LiveModel()


@solara.component
def Compare():
    """The scenario comparison page."""
    solara.Title("partnersim · compare")
    ComparePage()


@solara.component
def Sweeps():
    """The sweep explorer page."""
    solara.Title("partnersim · sweeps")
    SweepExplorer()


@solara.component
def Optimisation():
    """The robust-design page: an optimisation's Pareto set."""
    solara.Title("partnersim · robust design")
    OptimisationExplorer()


routes = [
    solara.Route(path="/", component=Live, label="Live model", layout=Layout),
    solara.Route(path="compare", component=Compare, label="Compare"),
    solara.Route(path="sweeps", component=Sweeps, label="Sweep explorer"),
    solara.Route(path="optimisation", component=Optimisation, label="Robust design"),
]

Page = Live

__all__ = ["ComparePage", "LiveModel", "OptimisationExplorer", "SweepExplorer", "routes"]
