"""A deterministic, **synthetic** employment panel for Baden-Württemberg's 44 districts.

The numbers are invented.  They are calibrated to realistic magnitudes (about 4.7
million employees subject to social insurance in 2018, city districts more
service-heavy than rural ones) and carry planted agglomerations where public
knowledge puts the real ones, so that the demo shows what the atlas is for.  Every
output built on them is labelled *synthetic demo data*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from clusteratlas import reference
from clusteratlas.model.categories import CategorySet
from clusteratlas.model.classification import Classification
from clusteratlas.model.panel import TOTAL_CODE
from clusteratlas.model.regions import Region

__all__ = ["PLANTED_FACTORS", "PLANTED_SHARES", "STATE_TOTAL_2018", "synthetic_panel"]

#: Employees subject to social insurance in BW, 30 June 2018, in round numbers.
STATE_TOTAL_2018 = 4_700_000
SEED = 20170424  # the date of the ministry's event that motivates the project

# Approximate share (%) of German employment by WZ division; the demo's base structure.
_DIVISION_SHARE = {
    "01": 0.6, "02": 0.05, "03": 0.02, "05": 0.02, "06": 0.01, "07": 0.01, "08": 0.12,
    "09": 0.02, "10": 2.2, "11": 0.2, "12": 0.03, "13": 0.25, "14": 0.12, "15": 0.05,
    "16": 0.3, "17": 0.35, "18": 0.35, "19": 0.05, "20": 1.0, "21": 0.45, "22": 1.2,
    "23": 0.7, "24": 0.8, "25": 2.3, "26": 1.2, "27": 1.3, "28": 3.3, "29": 2.6, "30": 0.4,
    "31": 0.3, "32": 0.45, "33": 0.6, "35": 0.6, "36": 0.1, "37": 0.1, "38": 0.5,
    "39": 0.02, "41": 1.0, "42": 0.6, "43": 4.0, "45": 2.0, "46": 5.0, "47": 7.5, "49": 2.5,
    "50": 0.05, "51": 0.1, "52": 2.2, "53": 1.3, "55": 1.0, "56": 2.6, "58": 0.4, "59": 0.2,
    "60": 0.2, "61": 0.3, "62": 2.0, "63": 0.4, "64": 2.0, "65": 0.7, "66": 0.5, "68": 0.8,
    "69": 1.5, "70": 1.8, "71": 2.0, "72": 0.6, "73": 0.5, "74": 0.3, "75": 0.1, "77": 0.3,
    "78": 2.5, "79": 0.2, "80": 0.6, "81": 2.7, "82": 1.5, "84": 5.5, "85": 3.8, "86": 7.0,
    "87": 3.5, "88": 4.0, "90": 0.3, "91": 0.1, "92": 0.1, "93": 0.4, "94": 1.5, "95": 0.1,
    "96": 1.3, "97": 0.1, "98": 0.01, "99": 0.05,
}
# Typical employees per establishment, by section (for the establishment counts).
_SECTION_SIZE = {"A": 4, "B": 25, "C": 38, "D": 30, "E": 20, "F": 9, "G": 9, "H": 18,
                 "I": 7, "J": 14, "K": 20, "L": 5, "M": 7, "N": 16, "O": 45, "P": 25,
                 "Q": 18, "R": 7, "S": 6, "T": 2, "U": 20}

#: Planted agglomerations with a public magnitude: category → {district AGS: share of the
#: district's employment in 2018}.  Orders of magnitude follow public statements, e.g.
#: >5,000 aerospace employees in the Bodenseekreis (BodenseeAIRea), ~7,000 packaging-
#: machinery employees in Schwäbisch Hall (Packaging Valley), ~20,000 automotive jobs in
#: Stadt- und Landkreis Heilbronn (TransformotiveDIALOG), Tuttlingen's medtech cluster.
PLANTED_SHARES: Mapping[str, Mapping[str, float]] = {
    "aerospace": {"08435": 0.06},
    "medical_technology": {"08327": 0.13},
    "fastening_technology": {"08126": 0.11},
    "packaging_machinery": {"08127": 0.08},
    "photonics": {"08136": 0.045},
    "automotive": {"08115": 0.15, "08125": 0.10, "08216": 0.08, "08111": 0.08, "08121": 0.04},
    "it_software": {"08212": 0.075},
    "biotech_life_sciences": {"08426": 0.07},
}
#: Milder planted specialisations: category → {district AGS: multiplier on the base share}.
PLANTED_FACTORS: Mapping[str, Mapping[str, float]] = {
    "medical_technology": {"08222": 3.0, "08326": 3.0},
    "aerospace": {"08436": 2.5},
    "automotive": {"08118": 2.5},
    "electromobility": {"08111": 2.5, "08118": 2.5, "08125": 2.0},
    "plastics": {"08125": 2.6, "08121": 2.0, "08237": 3.5, "08327": 2.5},
    "metal_working": {"08121": 2.0, "08125": 2.2, "08126": 1.8, "08117": 1.8},
    "fastening_technology": {"08127": 3.0},
    "it_software": {"08111": 2.2, "08335": 1.6, "08222": 1.5, "08421": 1.5},
    "packaging_machinery": {"08119": 4.5},
    "photonics": {"08421": 2.0},
    "microsystems": {"08311": 2.2, "08415": 4.0, "08326": 3.0, "08221": 2.0},
    "biotech_life_sciences": {"08221": 4.0, "08416": 3.0},
    "solar_energy": {"08335": 4.0, "08311": 3.0},
    "virtual_engineering": {"08119": 2.5, "08111": 2.5},
    "textiles_fibres": {"08417": 5.0, "08415": 2.0, "08116": 2.0},
    "machinery": {"08125": 1.5, "08116": 1.5, "08136": 1.4},
}
# Annual growth by category (the rest grows with the economy); IT in Heilbronn is
# planted as an *emerging* field.
_TREND = {"it_software": 0.045, "automotive": -0.004, "electromobility": 0.05,
          "solar_energy": 0.03, "biotech_life_sciences": 0.025, "textiles_fibres": -0.02}
_EMERGING = {("it_software", "08121"): 0.11}


def synthetic_panel(
    districts: Sequence[Region],
    classification: Classification,
    categories: CategorySet,
    *,
    years: Sequence[int] = tuple(range(2015, 2025)),
    seed: int = SEED,
) -> pd.DataFrame:
    """Build the synthetic demo panel.

    Industries are the WZ divisions, refined to the groups, classes or subclasses
    that the category set needs (:meth:`Classification.resolving_partition`), so
    categories are measured exactly and nothing is counted twice.  Each region
    also gets a ``TOTAL`` row.  Cells with a single establishment are
    *suppressed* (employment missing), as official statistics do.

    Returns
    -------
    DataFrame
        Columns ``region, industry, year, employment, establishments, flag``.
    """
    rng = np.random.default_rng(seed)
    industries = classification.resolving_partition(categories.all_codes(), base_level="division")
    membership = categories.membership(classification, industries)
    base = _base_shares(industries, classification, rng)
    region_total = _region_totals(districts)
    sections = np.array([_section(classification, code) for code in industries])
    is_production = np.isin(sections, list("BCDEF"))
    codes = [r.code for r in districts]
    # region × industry structure for the base year (2018)
    weights = np.tile(base, (len(districts), 1))
    for r, region in enumerate(districts):
        city = region.kind == "Stadtkreis"
        weights[r] *= np.where(is_production, 0.55 if city else 1.15, 1.2 if city else 0.95)
    weights *= rng.lognormal(0.0, 0.35, size=weights.shape)
    for j, code in enumerate(industries):
        for cat in membership[code]:
            for ags, factor in PLANTED_FACTORS.get(cat, {}).items():
                weights[codes.index(ags), j] *= factor
    weights /= weights.sum(axis=1, keepdims=True)
    _plant_shares(weights, industries, membership, codes)
    emp2018 = weights * region_total[:, None]
    growth = _growth(industries, membership, codes, years, rng)
    rows = []
    for t, year in enumerate(years):
        emp = np.round(emp2018 * growth[:, :, t])
        size = np.array([_SECTION_SIZE.get(s, 10) for s in sections], dtype=float)
        est = np.where(emp > 0, np.maximum(1, np.round(emp / size * rng.lognormal(0, 0.2, emp.shape))), 0)
        for r, ags in enumerate(codes):
            rows.append((ags, TOTAL_CODE, year, float(emp[r].sum()), float(est[r].sum()), "reported"))
            for j, code in enumerate(industries):
                if emp[r, j] <= 0:
                    continue
                suppressed = est[r, j] < 2
                rows.append((ags, code, year, np.nan if suppressed else float(emp[r, j]),
                             float(est[r, j]), "suppressed" if suppressed else "reported"))
    return pd.DataFrame(
        rows, columns=["region", "industry", "year", "employment", "establishments", "flag"]
    )


def _plant_shares(
    weights: np.ndarray,
    industries: Sequence[str],
    membership: Mapping[str, list[str]],
    codes: Sequence[str],
) -> None:
    """Set planted categories to their target share, rescaling the rest (in place)."""
    for cat, targets in PLANTED_SHARES.items():
        cols = [j for j, code in enumerate(industries) if cat in membership[code]]
        for ags, share in targets.items():
            r = codes.index(ags)
            current = weights[r, cols].sum()
            rest = 1.0 - current
            weights[r, cols] *= share / current
            others = np.ones(weights.shape[1], dtype=bool)
            others[cols] = False
            weights[r, others] *= (1.0 - share) / rest


def _section(classification: Classification, code: str) -> str:
    chain = [code, *classification.ancestors(code)]
    return chain[-1]


def _base_shares(
    industries: Sequence[str], classification: Classification, rng: np.random.Generator
) -> np.ndarray:
    """Split each division's share over the partition codes below it."""
    out = np.zeros(len(industries))
    by_division: dict[str, list[int]] = {}
    for j, code in enumerate(industries):
        chain = [code, *classification.ancestors(code)]
        division = next(c for c in chain if classification[c].level == "division")
        by_division.setdefault(division, []).append(j)
    for division, idx in by_division.items():
        parts = rng.dirichlet(np.full(len(idx), 4.0))
        out[idx] = _DIVISION_SHARE.get(division, 0.05) * parts
    normalised: np.ndarray = out / out.sum()
    return normalised


def _region_totals(districts: Sequence[Region]) -> np.ndarray:
    # Cities draw commuters: about 0.65 jobs per inhabitant against 0.36 in rural districts.
    # The seed is the 2018 population, whatever vintage the register shows.
    seed = reference.bw_population_2018()
    raw = np.array([(seed.get(r.code, r.population or 0))
                    * (0.65 if r.kind == "Stadtkreis" else 0.36) for r in districts])
    totals: np.ndarray = raw / raw.sum() * STATE_TOTAL_2018
    return totals


def _growth(
    industries: Sequence[str],
    membership: Mapping[str, list[str]],
    codes: Sequence[str],
    years: Sequence[int],
    rng: np.random.Generator,
) -> np.ndarray:
    """Index (region × industry × year) equal to 1 in 2018."""
    n_r, n_i, n_t = len(codes), len(industries), len(years)
    rate = np.full((n_r, n_i), 0.012)
    for j, code in enumerate(industries):
        for cat in membership[code]:
            rate[:, j] = _TREND.get(cat, 0.012)
            for (c, ags), r in _EMERGING.items():
                if c == cat:
                    rate[codes.index(ags), j] = r
    noise = rng.normal(0.0, 0.015, size=(n_r, n_i, n_t))
    log_index = np.zeros((n_r, n_i, n_t))
    for t, year in enumerate(years):
        shock = -0.02 if year == 2020 else 0.0
        log_index[:, :, t] = rate * (year - 2018) + shock + noise[:, :, t]
    log_index -= log_index[:, :, [list(years).index(2018)]] if 2018 in years else 0.0
    index: np.ndarray = np.exp(log_index)
    return index
