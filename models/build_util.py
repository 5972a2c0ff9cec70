"""Small helpers shared by the policy Blocks."""

from __future__ import annotations

import pyomo.environ as pyo


def block_param(b, name: str, index, mutable: bool = True, doc: str = "") -> pyo.Param:
    """An indexed Param with default 0, set later by the block's ``set_params``."""
    p = pyo.Param(list(index), mutable=mutable, initialize=0.0, within=pyo.Reals, doc=doc)
    setattr(b, name, p)
    return p


def set_values(param, values) -> None:
    """Give a mutable Param new values (``{index: value}`` for an indexed Param, a number for a
    scalar one), assigning only those that differ from what it holds: a what-if changes a few
    numbers of thousands, and every Pyomo assignment costs about a microsecond. Indices the Param
    does not have are an error (KeyError), as with item assignment."""
    if not param.is_indexed():
        if param.value != values:
            param.set_value(values)
        return
    current = param.extract_values()
    for k, v in values.items():
        if current[k] != v:
            param[k] = v
