"""Experiments at scale: sweep files, designs and seeds, streaming execution and resume."""

from partnersim.experiments.sweep.designs import DESIGNS
from partnersim.experiments.sweep.execute import resume, run_sweep
from partnersim.experiments.sweep.planning import plan
from partnersim.experiments.sweep.spec import Factor, SweepError, SweepSpec

__all__ = ["DESIGNS", "Factor", "SweepError", "SweepSpec", "plan", "resume", "run_sweep"]
