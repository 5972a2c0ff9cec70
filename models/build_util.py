"""Small helpers shared by the policy Blocks."""

from __future__ import annotations

import pyomo.environ as pyo


def block_param(b, name: str, index, mutable: bool = True, doc: str = "") -> pyo.Param:
    """An indexed Param with default 0, set later by the block's ``set_params``."""
    p = pyo.Param(list(index), mutable=mutable, initialize=0.0, within=pyo.Reals, doc=doc)
    setattr(b, name, p)
    return p
