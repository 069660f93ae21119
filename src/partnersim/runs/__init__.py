"""Run layer: one seeded run, the outcomes declared once, summaries across seeds, many runs.

* :mod:`partnersim.runs.runner` — ``run(scenario, seed)`` → ``RunResult``, seeds, manifests;
* :mod:`partnersim.runs.summary` — P(met) with intervals and headline outcomes across runs.
"""
