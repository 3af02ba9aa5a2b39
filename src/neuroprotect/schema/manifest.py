"""The study manifest (``study.yaml``): pydantic models, loading and validation.

A study names its compound and model (knowledge-base ids), its groups, an animals table and one entry
per readout with its raw files (paths or globs relative to the manifest) and parameters.

Examples
--------
>>> study = load_study("examples/imm-h004-mcao/study.yaml")  # doctest: +SKIP
>>> [g.id for g in study.groups]  # doctest: +SKIP
['sham', 'vehicle', 'h004_1_5', 'h004_3', 'h004_6', 'edaravone_6']
"""

from __future__ import annotations

import glob
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from neuroprotect.errors import InputError, InputErrors
from neuroprotect.schema.manifest_messages import validation_problems, warn_unknown_ids

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

#: Environment variable that, set to 1, lets manifests name files outside their folder (as
#: ``--allow-outside-paths`` does for one command).
ALLOW_OUTSIDE_ENV = "NEUROPROTECT_ALLOW_OUTSIDE_PATHS"
#: Most YAML nodes a manifest may expand to once aliases are followed ("billion laughs" guard).
MAX_YAML_NODES = 200_000


class Role(StrEnum):
    """What a group is for in the analysis."""

    SHAM = "sham"
    VEHICLE = "vehicle"
    TREATMENT = "treatment"
    POSITIVE_CONTROL = "positive_control"


class Setting(StrEnum):
    """Where the study's experimental units live."""

    IN_VIVO = "in_vivo"
    IN_VITRO = "in_vitro"


class UnitOfAnalysis(StrEnum):
    """How an in vitro study's technical replicates (cultures, wells) enter the statistics."""

    EXPERIMENT_MEAN = "experiment_mean"
    MIXED_MODEL = "mixed_model"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Group(_Model):
    """One experimental group."""

    id: str = Field(pattern=ID_PATTERN, description="Group id used in the animals table.")
    label: str | None = Field(None, description="Display name; defaults to the id.")
    role: Role
    compound: str | None = Field(
        None, description="Knowledge-base compound id given to this group."
    )
    dose_mg_kg: float | None = Field(None, ge=0, description="Dose in mg/kg.")
    route: str | None = Field(None, description="Route of administration (iv, ip, po, sc, icv).")
    timing: str | None = Field(None, description="Dosing time relative to the insult, in words.")
    timing_min: float | None = Field(
        None, description="Dosing time in minutes relative to insult onset (negative = before)."
    )
    planned_n: int | None = Field(None, ge=1, description="Planned animals per group.")

    @property
    def display(self) -> str:
        return self.label or self.id


class Readout(_Model):
    """One readout: its type, raw files and parameters."""

    id: str = Field(pattern=ID_PATTERN)
    type: str = Field(
        description="Readout type, e.g. neuro_score, ttc_table, brain_water, evans_blue."
    )
    files: list[str] = Field(min_length=1, description="Paths or globs relative to the manifest.")
    params: dict[str, Any] = Field(default_factory=dict)
    title: str | None = None
    strict: bool = Field(
        False,
        description="Refuse the readout at its first bad file instead of skipping the file with "
        "a warning (listed in the report's quality control); `neuroprotect run --strict` does "
        "this for every readout.",
    )


class Randomisation(_Model):
    method: str = Field(description="e.g. 'permuted blocks within sex x weight strata'.")
    seed: int | None = None
    before_procedure: bool | None = Field(
        None, description="True when animals were allocated before any surgery or procedure."
    )


class Blinding(_Model):
    allocation_concealed: bool = Field(
        False, description="The person doing surgery and dosing did not know the allocation."
    )
    outcome_assessment_blinded: bool = Field(False, description="Outcome assessors saw codes only.")
    analysis_blinded: bool = Field(False, description="Analysis ran on blinded codes.")


class SampleSize(_Model):
    method: str = Field(description="How n was chosen, e.g. 'two-sample t, d = 1.2, power 0.8'.")
    effect_size: float | None = None
    alpha: float | None = Field(None, gt=0, lt=1)
    power: float | None = Field(None, gt=0, lt=1)
    attrition: float | None = Field(None, ge=0, lt=1)


class Design(_Model):
    """Design facts used by the ARRIVE 2.0 and STAIR checklists (all optional)."""

    experimental_unit: str | None = Field(None, description="Usually 'animal'.")
    primary_outcome: str | None = Field(
        None, description="readout_id.variable of the primary outcome."
    )
    hypothesis: str | None = None
    randomisation: Randomisation | None = None
    blinding: Blinding | None = None
    sample_size: SampleSize | None = None
    exclusion_criteria: list[str] = Field(
        default_factory=list, description="Pre-registered criteria."
    )
    age: str | None = Field(None, description="Age or age range of the animals, e.g. '8-10 weeks'.")
    source_of_animals: str | None = None
    housing: str | None = None
    welfare_monitoring: str | None = None
    anaesthesia: str | None = None
    physiological_monitoring: str | None = Field(
        None, description="e.g. 'temperature 37 °C, laser-Doppler CBF'."
    )
    occlusion_confirmation: str | None = Field(
        None, description="e.g. 'laser-Doppler drop > 70 %'."
    )
    ethics_approval: str | None = None
    registration: str | None = Field(
        None, description="Protocol registration (e.g. preclinicaltrials.eu id)."
    )
    data_access: str | None = None
    conflicts_of_interest: str | None = None
    follow_up_days: float | None = Field(None, ge=0)
    unit_of_analysis: UnitOfAnalysis | None = Field(
        None,
        description="In vitro only: experiment_mean (default; the cultures of each independent "
        "experiment are averaged per group, one value per experiment and group) or mixed_model "
        "(every culture, with a random intercept per experiment: value ~ group + (1 | experiment)).",
    )


class Study(_Model):
    """A whole study as described by ``study.yaml``."""

    study_id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str | None = None
    simulated: bool = Field(False, description="True for synthetic data; the report says so.")
    compound: str = Field(description="Knowledge-base compound id, e.g. imm_h004 or igmesine.")
    model: str = Field(description="Knowledge-base protocol id, e.g. mcao_reperfusion.")
    species: str
    strain: str | None = None
    setting: Setting = Field(
        Setting.IN_VIVO,
        description="in_vivo (animals) or in_vitro (cultured cells: the animals table lists the "
        "cultures, and sex and body weight are not asked).",
    )
    cell_line: str | None = Field(None, description="In vitro: the cell line, e.g. PC12.")
    passage: int | str | None = Field(
        None, description="In vitro: passage number or range of the cells, e.g. 'P5-P10'."
    )
    sex: str | None = Field(None, description="male, female or mixed.")
    investigator: str | None = None
    groups: list[Group] = Field(min_length=2)
    animals: str = Field(
        description="Path of the animals CSV, relative to the manifest. In vitro: the cultures "
        "table (culture_id, experiment, group[, plate, well]); `cultures:` is accepted as an alias."
    )
    readouts: list[Readout] = Field(min_length=1)
    alpha: float = Field(0.05, gt=0, lt=1)
    design: Design = Field(default_factory=Design)

    # Set by load_study, not part of the YAML.
    base_dir: Path | None = Field(None, exclude=True)
    manifest_path: Path | None = Field(None, exclude=True)
    # Private: a manifest cannot grant itself files outside its folder.
    _allow_outside: bool = PrivateAttr(False)

    @model_validator(mode="before")
    @classmethod
    def _cultures_alias(cls, data: Any) -> Any:
        # `cultures:` reads better than `animals:` in an in vitro manifest; both name the table
        if isinstance(data, dict) and "cultures" in data:
            if "animals" in data:
                raise ValueError(
                    "cultures: expected either `animals:` or its alias `cultures:`, but got both"
                )
            data = {("animals" if k == "cultures" else k): v for k, v in data.items()}
        return data

    @field_validator("sex")
    @classmethod
    def _sex(cls, v: str | None) -> str | None:
        if v is not None and v.lower() not in {"male", "female", "mixed"}:
            raise ValueError(f"Expected male, female or mixed, but got {v!r}")
        return v.lower() if v else v

    @model_validator(mode="after")
    def _unique_ids(self) -> Study:
        for what, ids in (
            ("groups", [g.id for g in self.groups]),
            ("readouts", [r.id for r in self.readouts]),
        ):
            seen: set[str] = set()
            for i, x in enumerate(ids):
                if x in seen:
                    raise ValueError(f"{what}[{i}].id: duplicate id {x!r}; ids must be unique")
                seen.add(x)
        if not any(g.role == Role.VEHICLE for g in self.groups):
            raise ValueError(
                "groups: expected one group with role 'vehicle' (the comparison control)"
            )
        if sum(g.role == Role.VEHICLE for g in self.groups) > 1:
            raise ValueError("groups: expected exactly one group with role 'vehicle'")
        if self.design.unit_of_analysis is not None and self.setting != Setting.IN_VITRO:
            raise ValueError(
                "design.unit_of_analysis: expected only in an in vitro study (setting: in_vitro); "
                "in vivo the animal is the unit"
            )
        return self

    # --- helpers ---------------------------------------------------------------------------------
    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    @property
    def blinded(self) -> bool:
        """True when the animals table holds group codes (allocation concealed for analysis)."""
        return bool(self.design.blinding and self.design.blinding.analysis_blinded)

    @property
    def in_vitro(self) -> bool:
        """True for cultured cells: the animals table lists cultures with their experiment."""
        return self.setting == Setting.IN_VITRO

    @property
    def unit_of_analysis(self) -> UnitOfAnalysis | None:
        """In vitro: how cultures enter the statistics (default experiment means); None in vivo."""
        if not self.in_vitro:
            return None
        return self.design.unit_of_analysis or UnitOfAnalysis.EXPERIMENT_MEAN

    @property
    def vehicle(self) -> Group:
        return next(g for g in self.groups if g.role == Role.VEHICLE)

    @property
    def sham(self) -> Group | None:
        return next((g for g in self.groups if g.role == Role.SHAM), None)

    def resolve(self, relative: str, *, field: str | None = None) -> Path:
        """Path of a file named in the manifest (relative to the manifest's folder).

        A manifest loaded from a file may only name paths inside its own folder (after following
        symlinks), unless the user allowed others (``load_study(allow_outside_paths=True)``,
        ``--allow-outside-paths`` or ``NEUROPROTECT_ALLOW_OUTSIDE_PATHS=1``): a study.yaml from
        someone else must not make a run read ``/etc/passwd`` or write beside it.
        """
        p = Path(relative).expanduser()
        full = p if p.is_absolute() else (self.base_dir or Path.cwd()) / p
        if self.base_dir is not None and not self._allow_outside:
            self._check_inside(relative, full, field)
        return full

    def _check_inside(self, relative: str, full: Path, field: str | None) -> None:
        assert self.base_dir is not None
        base = self.base_dir.resolve()
        target = full.resolve()
        if target == base or target.is_relative_to(base):
            return
        raise InputError(
            f"Expected a path inside the study folder {str(base)!r}, but {relative!r} leads to "
            f"{str(target)!r} (to allow it, pass --allow-outside-paths or set "
            f"{ALLOW_OUTSIDE_ENV}=1)",
            file=self.manifest_path,
            field=field,
        )

    def readout_files(self, readout: Readout) -> list[Path]:
        """Expand a readout's paths and globs; every pattern must match at least one file."""
        out: list[Path] = []
        for i, pattern in enumerate(readout.files):
            where = f"readouts.{readout.id}.files[{i}]"
            full = self.resolve(pattern, field=where)
            if glob.has_magic(str(full)):
                found = sorted(Path(m) for m in glob.glob(str(full)))
                for m in found:  # a match may be a symlink that leads out of the folder
                    self.resolve(str(m), field=where)
                matches = [m for m in found if m.is_file()]  # folders are not raw files
                if not matches:
                    what = f"only folders ({len(found)})" if found else "none"
                    raise InputError(
                        f"Expected at least one file matching {pattern!r}, but found {what}",
                        file=self.manifest_path,
                        field=where,
                    )
                out.extend(matches)
            else:
                if not full.is_file():
                    state = "is a folder" if full.is_dir() else "does not exist"
                    raise InputError(
                        f"Expected an existing file, but {str(full)!r} {state}",
                        file=self.manifest_path,
                        field=where,
                    )
                out.append(full)
        return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses a key given twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) or key == "<<":
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"found the key {key!r} a second time; YAML would keep only the last",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Number of nodes a YAML node stands for once every alias is expanded (shared nodes are
    counted once per use, as a loader's consumer sees them)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once; SafeLoader builds it as a cycle
    if isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        total = 1
    memo[key] = min(total, MAX_YAML_NODES + 1)
    return memo[key]


def _load_yaml(text: str) -> Any:
    """Parse with the duplicate-key SafeLoader, refusing documents that aliases blow up."""
    loader = _UniqueKeyLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None and _expanded_size(root, {}) > MAX_YAML_NODES:
            raise InputError(
                f"Expected a manifest of at most {MAX_YAML_NODES:,} YAML nodes, but its anchors "
                "and aliases expand to more (a YAML 'billion laughs' document?)"
            )
        return loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def load_study(
    path: str | Path, *, check_files: bool = True, allow_outside_paths: bool | None = None
) -> Study:
    """Load and validate a ``study.yaml``.

    With ``check_files=False`` the animals table and the readout files need not exist yet: the
    design steps (randomisation, checklists, dosing sheets) come before any data.

    Paths in the manifest must stay inside its folder (symlinks followed) unless
    ``allow_outside_paths`` is true (``None``: the ``NEUROPROTECT_ALLOW_OUTSIDE_PATHS``
    environment variable decides). Only safe YAML is read: no Python tags, no duplicate keys, and
    no anchors/aliases expanding past :data:`MAX_YAML_NODES` nodes.

    Raises
    ------
    InputError
        Unreadable YAML (its line), a missing file, or :class:`InputErrors` listing every wrong or
        missing field, one ``path: Expected ..., but got ...`` line each.

    Warns
    -----
    InputWarning
        A compound or model id that is not in the knowledge base.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(
            "Expected a study manifest (YAML file), but got a folder"
            + (f"; did you mean {path / 'study.yaml'}?" if (path / "study.yaml").is_file() else ""),
            file=path,
        )
    if not path.is_file():
        raise InputError(
            "Expected a study manifest (YAML file), but the file does not exist", file=path
        )
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except InputError as exc:
        raise InputError(exc.message, file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise InputError(f"{where}Expected valid YAML ({problem})", file=path) from None
    except UnicodeDecodeError:
        raise InputError("Expected a UTF-8 text file", file=path) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"{type(data).__name__} {data!r}"[:80]
        raise InputError(
            f"Expected a mapping of study fields at the top level, but got {got}", file=path
        )
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise InputErrors(validation_problems(Study, exc), file=path) from None
    warn_unknown_ids(study, path)
    study.base_dir = path.resolve().parent
    study.manifest_path = path
    if allow_outside_paths is None:
        allow_outside_paths = os.environ.get(ALLOW_OUTSIDE_ENV, "").strip() in {"1", "true", "yes"}
    study._allow_outside = allow_outside_paths
    animals = study.resolve(study.animals, field="animals")
    if not check_files:
        return study
    if not animals.is_file():
        state = "is a folder" if animals.is_dir() else "does not exist"
        raise InputError(
            f"Expected the animals table at {str(animals)!r}, but it {state}",
            file=path,
            field="animals",
        )
    for readout in study.readouts:
        study.readout_files(readout)
    return study


def study_json_schema() -> dict[str, Any]:
    """JSON Schema of ``study.yaml`` (exported to ``docs/study.schema.json``)."""
    schema = Study.model_json_schema()
    properties = schema.get("properties", {})
    for hidden in ("base_dir", "manifest_path"):
        properties.pop(hidden, None)
    # `cultures:` is an accepted alias of `animals:` (see Study._cultures_alias)
    properties["cultures"] = {
        "type": "string",
        "title": "Cultures",
        "description": "In vitro: alias of `animals:`, the cultures table "
        "(culture_id, experiment, group[, plate, well]). Give one of the two.",
    }
    required = [r for r in schema.get("required", []) if r != "animals"]
    schema["required"] = required
    schema["oneOf"] = [{"required": ["animals"]}, {"required": ["cultures"]}]
    return schema
