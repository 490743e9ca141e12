"""An army column sent from a garrison to take over a closing peacekeeping camp.

Rules (docs/ODD.md, "Handover of closing camps"): the column sets out from a garrison with a fixed
number of soldiers drawn from all the army's posts in proportion to their strength, moves a fixed
distance a week towards the site and, once there, waits for the camp to close or fights for it. It
becomes the site's garrison if it takes the site, or returns its survivors to its garrison if it
loses. The decisions (whether to send it, who wins) are the handover
phase's (:mod:`sahel_sim.model.phases.handover`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sahel_sim.model.agents.army import ArmyUnit
from sahel_sim.model.fields import km_to_cells

if TYPE_CHECKING:
    from sahel_sim.model.sahel_model import SahelModel


class ArmyColumn(ArmyUnit):
    """A detachment of a national garrison on its way to a site (not a post: it holds nothing yet).

    ``model.units()`` lists posts only (Mesa groups agents by their exact type), so a column is not
    reinforced, does not mount operations and is never abandoned as a post.

    Attributes:
        origin: The garrison it left (its survivors go back there if it loses).
        site: Name of the site it heads for.
        target: The site's cell (x, y).

    """

    def __init__(
        self,
        model: SahelModel,
        origin: ArmyUnit,
        site: str,
        target: tuple[int, int],
        personnel: float,
        donors: list[ArmyUnit],
    ):
        super().__init__(
            model,
            origin.cell,
            force=origin.force,
            country=origin.country,
            post_name=f"column to {site}",
            weight=0.0,
            effectiveness=origin.effectiveness,
            accuracy=origin.accuracy,
            abuse=origin.abuse,
            remote=True,
        )
        self.origin = origin
        self.site = site
        self.target = target
        self.strength = personnel
        self.deployed = True
        pool = sum(u.strength for u in donors)
        for unit in donors:  # drawn from the army's posts in proportion to their strength
            unit.strength -= personnel * unit.strength / pool

    @property
    def arrived(self) -> bool:
        """Whether the column stands on its site."""
        return self.xy == self.target

    def advance(self) -> None:
        """Move one week's distance (``handover.column_speed_km``) towards the site, stopping on it."""
        speed = max(1, km_to_cells(self.model.params.handover.column_speed_km, self.model.resolution))
        (x, y), (tx, ty) = self.xy, self.target
        steps = max(abs(tx - x), abs(ty - y))
        if steps <= speed:
            self.cell = self.model.grid[self.target]
            return
        frac = speed / steps
        self.cell = self.model.grid[(x + round((tx - x) * frac), y + round((ty - y) * frac))]

    def fall_back(self) -> None:
        """Return the survivors to the garrison the column came from, and leave the map."""
        if self.origin.active:
            self.origin.strength += max(self.strength, 0.0)
        self.remove()

    def become_garrison(self, weight: float) -> ArmyUnit:
        """Turn into a post at the site: a remote garrison that the army reinforces like any other.

        Args:
            weight: The new post's share weight among its army's posts.

        Returns:
            The new post (the column leaves the map).

        """
        post = ArmyUnit(
            self.model,
            self.cell,
            force=self.force,
            country=self.country,
            post_name=self.site,
            weight=weight,
            effectiveness=self.effectiveness,
            accuracy=self.accuracy,
            abuse=self.abuse,
            remote=True,
        )
        post.strength = self.strength
        post.deployed = True
        self.remove()
        return post
