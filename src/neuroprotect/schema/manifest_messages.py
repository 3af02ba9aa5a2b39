"""Readable manifest problems: pydantic errors as ``field: Expected X, but got Y`` lines, and
warnings for compound and model ids the knowledge base does not know.

Field paths use the manifest's own keys with 0-based list positions, as in
``groups[2].dose_mg_kg`` (the third group).
"""

from __future__ import annotations

import typing
import warnings
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from neuroprotect.errors import InputWarning

_NUMBER_TYPES = {"float_parsing", "float_type", "finite_number"}
_WHOLE_TYPES = {"int_parsing", "int_type", "int_from_float"}
_BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_MAPPING_TYPES = {"model_type", "dict_type", "model_attributes_type"}


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('groups', 2, 'dose_mg_kg')`` -> ``groups[2].dose_mg_kg``."""
    text = ""
    for item in loc:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else str(item))
    return text


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``Group``, ``list[Group]``, ``Design | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _walk(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[Any, FieldInfo | None]:
    """The model holding the last field of ``loc`` and that field's info (None if not found)."""
    holder: Any = model
    info: FieldInfo | None = None
    for item in loc:
        if isinstance(item, int):
            continue
        if holder is None or item not in holder.model_fields:
            return holder, None
        info = holder.model_fields[item]
        holder = _model_in(info.annotation)
    return holder, info


def _bounds(info: FieldInfo | None) -> str:
    """`` >= 0``, `` > 0 and < 1``... from a field's constraints."""
    if info is None:
        return ""
    parts = []
    for m in info.metadata:
        for kind, attr, sign in (
            (Ge, "ge", ">="),
            (Gt, "gt", ">"),
            (Le, "le", "<="),
            (Lt, "lt", "<"),
        ):
            if isinstance(m, kind):
                parts.append(f"{sign} {getattr(m, attr):g}")
    return (" " + " and ".join(parts)) if parts else ""


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)


def _message(model: type[BaseModel], err: Any) -> str:
    """One pydantic error as "Expected ..., but got ..." (custom validator texts as they are)."""
    kind, loc, ctx = err["type"], tuple(err["loc"]), err.get("ctx") or {}
    got = _got(err.get("input"))
    parent, info = _walk(model, loc)
    if kind == "missing":
        return "Expected this field, but it is missing"
    if kind == "extra_forbidden":
        owner, _ = _walk(model, loc[:-1])
        fields = owner.model_fields.items() if owner is not None else []
        known = ", ".join(name for name, f in fields if not f.exclude)
        hint = f" ({known})" if known else ""
        return f"Expected one of the known fields{hint}, but got the unknown field {loc[-1]!r}"
    if kind in _NUMBER_TYPES or (kind in _BOUND_TYPES and info is not None and _is_float(info)):
        return f"Expected a number{_bounds(info)}, but got {got}"
    if kind in _WHOLE_TYPES or kind in _BOUND_TYPES:
        return f"Expected a whole number{_bounds(info)}, but got {got}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"Expected true or false, but got {got}"
    if kind == "string_type":
        return f"Expected text, but got {got}"
    if kind == "string_pattern_mismatch":
        return (
            "Expected an id of letters, digits, '_', '.' and '-' starting with a letter or digit, "
            f"but got {got}"
        )
    if kind in {"enum", "literal_error"}:
        return f"Expected one of {ctx.get('expected')}, but got {got}"
    if kind == "too_short":
        n = ctx.get("min_length")
        return (
            f"Expected at least {n} item{'s' if n != 1 else ''}, but got {ctx.get('actual_length')}"
        )
    if kind == "list_type":
        return f"Expected a list, but got {got}"
    if kind in _MAPPING_TYPES:
        return f"Expected a mapping of fields, but got {got}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error" or "got" in msg:
        return msg
    return f"{msg}, but got {got}"


def _is_float(info: FieldInfo) -> bool:
    return float in typing.get_args(info.annotation) or info.annotation is float


def validation_problems(model: type[BaseModel], exc: ValidationError) -> list[str]:
    """Each validation problem as one ``path: Expected ..., but got ...`` line."""
    lines = []
    for err in exc.errors():
        path = field_path(tuple(err["loc"]))
        message = _message(model, err)
        lines.append(f"{path}: {message}" if path else message)
    return list(dict.fromkeys(lines))


def warn_unknown_ids(study: Any, path: Path) -> None:
    """An :class:`InputWarning` per compound or model id not in the knowledge base."""
    from neuroprotect.knowledge.base import (
        compound_ids,
        protocol_ids,
        resolve_compound,
        resolve_protocol,
    )

    checks = [("compound", study.compound, resolve_compound, compound_ids)]
    checks.append(("model", study.model, resolve_protocol, protocol_ids))
    checks += [
        (f"groups[{i}].compound", g.compound, resolve_compound, compound_ids)
        for i, g in enumerate(study.groups)
        if g.compound
    ]
    for field, value, resolve, known in checks:
        if resolve(value) is None:
            warnings.warn(
                InputWarning(
                    f"{path}: {field}: {value!r} is not in the knowledge base (known: "
                    f"{', '.join(known())}); its knowledge-base context is left out"
                ),
                stacklevel=3,
            )
