"""Credibility layer: calibration, pattern-oriented validation, and the documents reporting both.

* :mod:`~partnersim.credibility.history_fits` — each mission's delivery law fitted to its
  history, with hold-outs on data;
* :mod:`~partnersim.credibility.calibration` — those fits with the status quo's reference
  drive, written to ``data/delivery.toml``;
* :mod:`~partnersim.credibility.checks` — intervals and the verdict rules of the stylised facts
  (pure functions);
* :mod:`~partnersim.credibility.experiments` — the scenario runs behind each stylised fact;
* :mod:`~partnersim.credibility.writing` — docs/validation.md's Markdown and figures, and the
  marked regions generated text goes into;
* :mod:`~partnersim.credibility.docs` — the tables of docs/ODD.md, generated from the
  declarations and data files.
"""
