"""Core layer: the partnership as a Mesa model — actors, network, indicator engine, phases.

``PartnershipModel`` (:mod:`partnersim.model.partnership`) builds the population
(:mod:`~partnersim.model.population`) and the coordination network
(:mod:`~partnersim.model.network`) from a scenario, then steps one quarter at a time through
named phases that live with the actor or mechanism they belong to (:mod:`~partnersim.model.agents`,
:mod:`~partnersim.model.indicators`, :mod:`~partnersim.model.interaction`, ...). Metrics are
recorded by :mod:`~partnersim.model.metrics`. The model reads no files and prints nothing.
"""

from partnersim.model.partnership import PartnershipModel

__all__ = ["PartnershipModel"]
