"""Credibility layer: calibration, pattern-oriented validation, and the documents reporting both."""
