"""Names people read for machine names: methods, tests, effect sizes, roles."""

from __future__ import annotations

import re

from neuroprotect.schema.manifest import Role

#: Procedure (``ComparisonResult.method``) -> what the methods text calls it.
METHOD_NAMES: dict[str, str] = {
    "anova-dunnett": "one-way ANOVA followed by Dunnett's test against vehicle",
    "welch": "Welch's ANOVA (unequal variances) followed by Games-Howell comparisons against "
    "vehicle",
    "welch-dunnett": "Welch's ANOVA (unequal variances) followed by Dunnett-type comparisons "
    "against vehicle",
    "games-howell": "Welch's ANOVA (unequal variances) followed by Games-Howell comparisons of "
    "all pairs",
    "tukey": "one-way ANOVA followed by Tukey's HSD test of all pairs",
    "dunn-all": "Kruskal-Wallis test followed by Dunn's test of all pairs",
    "kruskal-dunn": "Kruskal-Wallis test followed by Dunn's test against vehicle",
    "welch-t": "Welch's two-sample t-test",
    "student-t": "Student's two-sample t-test",
    "t-test": "two-sample t-test",
    "mann-whitney": "Mann-Whitney U test",
    "lmm-experiment": "linear mixed model with a random intercept per independent experiment",
}

#: Procedure -> how its p-values vs vehicle are adjusted for multiplicity.
MULTIPLICITY: dict[str, str] = {
    "anova-dunnett": "Dunnett's procedure (simultaneous, multivariate t) after one-way ANOVA",
    "welch": "the Games-Howell studentized-range adjustment after Welch's ANOVA",
    "welch-dunnett": "a Dunnett-type simultaneous adjustment after Welch's ANOVA",
    "games-howell": "the Games-Howell studentized-range adjustment after Welch's ANOVA",
    "tukey": "Tukey's studentized-range adjustment (all pairs) after one-way ANOVA",
    "dunn-all": "Holm's step-down method for Dunn's tests of all pairs after Kruskal-Wallis",
    "kruskal-dunn": "Holm's step-down method for Dunn's tests after Kruskal-Wallis",
    "welch-t": "no adjustment (a single comparison)",
    "student-t": "no adjustment (a single comparison)",
    "t-test": "no adjustment (a single comparison)",
    "mann-whitney": "no adjustment (a single comparison)",
    "lmm-experiment": "Holm's step-down method for the mixed model's t-tests",
}

#: Contrast-level ``test`` column values -> display names.
TEST_NAMES: dict[str, str] = {
    "dunnett": "Dunnett's test",
    "dunnett-t3": "Dunnett's T3",
    "games-howell": "Games-Howell",
    "tamhane-t2": "Tamhane's T2",
    "dunn": "Dunn's test",
    "dunn-holm": "Dunn's test (Holm)",
    "welch-t": "Welch's t-test",
    "student-t": "Student's t-test",
    "t-test": "t-test",
    "mann-whitney": "Mann-Whitney U",
    "lmm-t": "mixed-model t-test (Satterthwaite)",
    "anova": "one-way ANOVA",
    "welch-anova": "Welch's ANOVA",
    "kruskal": "Kruskal-Wallis",
    "kruskal-wallis": "Kruskal-Wallis",
}

#: Omnibus ``test`` -> the letter of its statistic.
STATISTIC_SYMBOLS: dict[str, str] = {
    "anova": "F",
    "welch-anova": "F",
    "welch": "F",
    "kruskal": "H",
    "kruskal-wallis": "H",
}

#: ``effect_type`` -> display names.
EFFECT_NAMES: dict[str, str] = {
    "hedges_g": "Hedges' g",
    "hedges-g": "Hedges' g",
    "cohen_d": "Cohen's d",
    "cohens_d": "Cohen's d",
    "glass_delta": "Glass's Δ",
    "rank_biserial": "rank-biserial r",
    "rank-biserial": "rank-biserial r",
    "cliffs_delta": "Cliff's δ",
    "mean_difference": "mean difference",
}

ROLE_NAMES: dict[Role, str] = {
    Role.SHAM: "Sham",
    Role.VEHICLE: "Vehicle",
    Role.TREATMENT: "Treatment",
    Role.POSITIVE_CONTROL: "Positive control",
}


def method_name(method: str) -> str:
    """Display name of a comparison procedure (the machine name itself when unknown)."""
    return METHOD_NAMES.get(method, method)


def name_of_test(test: object) -> str:
    """Display name of a contrast- or omnibus-level test (the value itself when unknown)."""
    text = str(test) if test is not None else ""
    return TEST_NAMES.get(text.lower(), text)


def effect_name(effect_type: object) -> str:
    """Display name of an effect-size type (the value itself when unknown)."""
    text = str(effect_type) if effect_type is not None else ""
    return EFFECT_NAMES.get(text.lower(), text)


#: Assumption ``check`` values -> display names.
CHECK_NAMES: dict[str, str] = {
    "shapiro": "Shapiro-Wilk normality test",
    "shapiro_wilk": "Shapiro-Wilk normality test",
    "normality": "normality test",
    "levene": "Levene's test of equal variances",
    "brown_forsythe": "Brown-Forsythe test of equal variances",
    "bartlett": "Bartlett's test of equal variances",
    "fligner": "Fligner-Killeen test of equal variances",
}

#: Words of keys printed in capitals (assay limits, curve statistics).
_ACRONYMS = {"lloq", "uloq", "lod", "loq", "rse", "cv", "ec50", "ic50", "od", "qc", "sd", "sem"}

#: Unit suffixes of canonical names -> the unit shown in brackets.
_UNIT_SUFFIXES: dict[str, str] = {
    "mm3": "mm³",
    "mm2": "mm²",
    "mm": "mm",
    "um": "µm",
    "cm": "cm",
    "pct": "%",
    "s": "s",
    "min": "min",
    "h": "h",
    "g": "g",
    "mg": "mg",
    "ug": "µg",
    "ug_per_g": "µg/g",
    "ug_ml": "µg/mL",
    "mg_ml": "mg/mL",
    "ml": "mL",
    "mg_kg": "mg/kg",
    "nm": "nm",
    "px": "px",
}


def check_name(check: object) -> str:
    """Display name of an assumption check (the value itself when unknown)."""
    text = str(check) if check is not None else "assumption check"
    return CHECK_NAMES.get(text.lower(), text.replace("_", " "))


def humanize_key(key: str) -> str:
    """A QC, table or parameter key for display.

    ``r_squared`` -> ``R²``; ``slice_thickness_mm`` -> ``Slice thickness (mm)``;
    ``slice_areas`` -> ``Slice areas``; ``concentration_ug_ml`` -> ``Concentration (µg/mL)``;
    ``n_out_of_range`` -> ``n out of range``; ``animal_id`` -> ``Animal ID``.
    """
    special = {
        "r2": "R²",
        "r_squared": "R²",
        "rsquared": "R²",
        "n": "n",
        "chi2": "χ²",
        "p": "p",
        "p_val": "p",
        "p_value": "p",
        "p_adj": "p (adj.)",
        "p_adj_holm": "p (Holm-adjusted)",
    }
    if key.lower() in special:
        return special[key.lower()]
    if re.search(r"\.[A-Za-z0-9]{1,5}\b", key):  # a file name (tnf_plate.csv plate 1): as is
        return key
    unit = ""
    for suffix in sorted(_UNIT_SUFFIXES, key=len, reverse=True):
        if key.lower().endswith("_" + suffix) and len(key) > len(suffix) + 1:
            unit = f" ({_UNIT_SUFFIXES[suffix]})"
            key = key[: -len(suffix) - 1]
            break
    if key.lower().endswith("_pct_of"):  # a percentage's reference: "... as % of"
        key, unit = key[: -len("_pct_of")], " as % of"
    text = " ".join(
        w.upper() if w.lower() in _ACRONYMS else w for w in key.replace("_", " ").split()
    )
    if text.lower().endswith(" id"):
        text = text[:-2] + "ID"
    if text.startswith("n "):  # a count keeps its lower-case n
        return text + unit
    return text[:1].upper() + text[1:] + unit


def unit_suffix(label: str, unit: str | None) -> str:
    """`` (unit)`` to print after a variable's label, or nothing when there is no unit or the label
    names it already (``Infarct (% of contralateral hemisphere)`` with ``%``, ``Neurological score
    (Longa score)`` with ``score``): the unit as a whole word, never ``s`` inside ``latency``."""
    if not unit:
        return ""
    if re.search(rf"(?<!\w){re.escape(unit)}(?!\w)", label):
        return ""
    return f" ({unit})"


def label_with_unit(label: str, unit: str | None) -> str:
    """A variable's label with its unit in brackets, e.g. ``Infarct volume (mm³)``."""
    return label + unit_suffix(label, unit)
