"""Experiments layer: sweeps, backends, sensitivity, scenario discovery, reports, EMA bridge."""
