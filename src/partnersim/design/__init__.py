"""Robust policy design: which package of levers delivers the missions, robustly, at what cost.

* :mod:`~partnersim.design.spec` — optimisation files (levers searched, objectives,
  constraints, robustness criteria, worlds and seeds), validated like sweep files;
* :mod:`~partnersim.design.robustness` — robustness metrics over plausible worlds
  (satisficing, regret, pessimistic percentiles), declared once and used by the search and the
  report;
* :mod:`~partnersim.design.search` — the many-objective search (platypus-opt's ε-NSGA-II) on
  the sweep backends, resumable by exact replay, writing the Pareto set as Parquet and as
  scenario files;
* :mod:`~partnersim.design.report` — the report: trade-offs, parallel coordinates,
  convergence, the robustness table of the shipped scenarios against the Pareto packages, and
  the vulnerability (PRIM) boxes of the most robust package.
"""

from partnersim.design.spec import Metric, OptimiseError, OptimiseSpec

__all__ = ["Metric", "OptimiseError", "OptimiseSpec"]
