"""Run layer: one seeded run, summaries across seeds, many runs and their results folder.

* :mod:`partnersim.runs.runner` — ``run(scenario, seed)`` → ``RunResult``, seeds, manifests;
* :mod:`partnersim.runs.summary` — P(met) with intervals and headline outcomes across runs;
* :mod:`partnersim.runs.tables` — those outcomes as text, one formatting for every face;
* :mod:`partnersim.runs.many` — ``run_many``: scenarios on the same seeds, and their folder.
"""

DEFAULT_ROOT_SEED = 20240530
"""Root seed when none is given: the date Mission Critical 01 was published (30 May 2024).

Defined here, where importing it costs nothing, so that the command line can show it as the
default of ``--seed`` without importing the Run layer's modules (pandas, pyarrow); it is
used, and re-exported, by :mod:`partnersim.runs.many`."""
