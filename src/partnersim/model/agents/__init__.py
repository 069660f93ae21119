"""The five kinds of actor, one module each: Mesa agent views plus their vectorised rules."""

from partnersim.model.agents.base import PartnershipAgent, Tie
from partnersim.model.agents.business import Business
from partnersim.model.agents.centre import Centre
from partnersim.model.agents.local_authority import LocalAuthority
from partnersim.model.agents.ministry import Ministry
from partnersim.model.agents.union import Union

__all__ = [
    "Business",
    "Centre",
    "LocalAuthority",
    "Ministry",
    "PartnershipAgent",
    "Tie",
    "Union",
]
