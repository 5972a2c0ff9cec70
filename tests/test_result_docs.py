"""Outputs are documented like inputs (issue 12 item 5; PyPSA's attribute tables)."""

from __future__ import annotations



def test_every_result_field_is_documented_with_its_unit():
    """Outputs are documented like inputs (issue 12 item 5): every field of every result model has a
    description; a number's description names its unit (or says it is a count, a share or a time)."""
    import inspect

    from pydantic import BaseModel

    import landquota.solvers.result as R

    import re

    unit = re.compile(r"\bha\b|亿元|万元|m²|\bcount\b|0–1|\bseconds\b|\bmonths?\b|\bcases?\b|\bpersons\b|\byear\b|%|亩|`unit`|`limit_unit`",
                      re.IGNORECASE)
    for name, cls in inspect.getmembers(R, inspect.isclass):
        if not (issubclass(cls, BaseModel) and cls.__module__ == R.__name__):
            continue
        for field, info in cls.model_fields.items():
            assert info.description, f"{name}.{field} has no description"
            if info.annotation in (float, float | None, int, int | None) and field not in ("year",):
                assert unit.search(info.description), f"{name}.{field}: no unit in its description"
