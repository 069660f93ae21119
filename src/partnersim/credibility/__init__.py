"""Credibility layer: calibration, pattern-oriented validation, and the documents reporting both.

* :mod:`~partnersim.credibility.trends` — the status-quo trend targets derived from the shipped
  history, and the scale transforms they use;
* :mod:`~partnersim.credibility.calibration` — fitting the indicator engine to those targets;
* :mod:`~partnersim.credibility.checks` — intervals and the verdict rules of the stylised facts
  (pure functions);
* :mod:`~partnersim.credibility.experiments` — the scenario runs behind each stylised fact;
* :mod:`~partnersim.credibility.writing` — docs/validation.md's Markdown and figures, and the
  marked regions generated text goes into;
* :mod:`~partnersim.credibility.docs` — the tables of docs/ODD.md, generated from the
  declarations and data files.
"""
