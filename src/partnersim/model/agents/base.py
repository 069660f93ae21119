"""What every actor shares: the Mesa agent view of one row of the state arrays.

partnersim keeps actors' state in arrays (:mod:`partnersim.model.population`) so that each step is a
few vectorised operations; a :class:`PartnershipAgent` is a real ``mesa.Agent`` whose attributes
read (and, where it makes sense, write) its row. Users inspect agents as usual —
``model.agents_by_type[Business]``, ``agent.ties``, ``agent.capability`` — while the rules in
each actor's module act on the whole population at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from partnersim.model.network import ActorKind, TieType

if TYPE_CHECKING:
    from partnersim.model.partnership import PartnershipModel


class column:
    """Expose ``population.<field>[index]`` as a Python scalar attribute of an agent view."""

    def __init__(self, field: str, doc: str = "", writable: bool = False):
        self.field = field
        self.writable = writable
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: PartnershipAgent | None, owner: type) -> Any:
        if agent is None:
            return self
        value = getattr(agent.rows, self.field)[agent.index]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, agent: PartnershipAgent, value: Any) -> None:
        if not self.writable:
            raise AttributeError(f"{self.name} is derived by the model and cannot be set")
        getattr(agent.rows, self.field)[agent.index] = value


@dataclass(frozen=True, slots=True)
class Tie:
    """One active edge of the coordination graph, seen from an agent."""

    partner: PartnershipAgent
    tie: TieType
    trust: float


class PartnershipAgent(mesa.Agent):
    """Base class of the five actor kinds.

    Attributes:
        node: the agent's node in the coordination graph (an integer id).
        index: the agent's row in its kind's state arrays.
    """

    kind: ClassVar[ActorKind]
    population_field: ClassVar[str]

    def __init__(self, model: PartnershipModel, node: int, index: int):
        super().__init__(model)
        self.node = node
        self.index = index

    @property
    def rows(self) -> Any:
        """The state arrays of this agent's kind."""
        return getattr(self.model.population, self.population_field)

    @property
    def name(self) -> str:
        """Organisation name."""
        return self.model.network.name[self.node]

    @property
    def ties(self) -> list[Tie]:
        """Active ties with their partner agent, type and current trust."""
        net = self.model.network
        edges = net.incident(self.node)
        other = np.where(net.src[edges] == self.node, net.dst[edges], net.src[edges])
        lookup = self.model.agent_of_node
        return [
            Tie(lookup[o], TieType(t), float(w))
            for o, t, w in zip(other, net.tie[edges], net.trust[edges], strict=True)
        ]

    @property
    def neighbours(self) -> list[PartnershipAgent]:
        """Agents this one has an active tie with."""
        return [t.partner for t in self.ties]

    @property
    def mean_trust(self) -> float:
        """Mean trust over this agent's active ties (NaN without ties)."""
        ties = self.ties
        return float(np.mean([t.trust for t in ties])) if ties else float("nan")

    def state(self) -> dict[str, Any]:
        """Every public attribute of the agent, for tables and the dashboard."""
        out = {"name": self.name, "kind": self.kind.value, "node": self.node}
        for klass in type(self).__mro__:
            for key, attr in vars(klass).items():
                if isinstance(attr, column) and key not in out:
                    out[key] = getattr(self, key)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, node={self.node})"
