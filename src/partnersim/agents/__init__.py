"""The five kinds of actor, one module each: Mesa agent views plus their vectorised rules."""

from partnersim.agents.base import PartnershipAgent, Tie
from partnersim.agents.business import Business
from partnersim.agents.centre import Centre
from partnersim.agents.local_authority import LocalAuthority
from partnersim.agents.ministry import Ministry
from partnersim.agents.union import Union

__all__ = [
    "Business",
    "Centre",
    "LocalAuthority",
    "Ministry",
    "PartnershipAgent",
    "Tie",
    "Union",
]
