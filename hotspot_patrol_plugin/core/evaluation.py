"""Did the patrols work? Pure statistics for before/after evaluations of hot spot patrols.

Everything here is plain numbers in, named results out (numpy; shapely only for the areas). scipy is
not needed: normal tail areas and quantiles come from the standard library (``statistics.NormalDist``)
and the regression is a few lines of iteratively reweighted least squares.

Sources of the formulas (and of the published cases the tests check them against):

- WDD: Wheeler, A.P. & Ratcliffe, J.H. (2018) A simple weighted displacement difference test to
  evaluate place based crime interventions. Crime Science 7:11. Time and area weights divide each
  count by its weight and each variance term by the weight squared, as in the reference
  implementation (R package ptools, ``wdd``); harm: each type's WDD times its weight, variances
  times weight squared (ptools ``wdd_harm``).
- E-test: Krishnamoorthy, K. & Thomson, J. (2004) A more powerful test for comparing two Poisson
  means. Journal of Statistical Planning and Inference 119, 23-35 (equations 3.3-3.5).
- WDQ, success measure, gross/net effect, total net effect: Bowers, K.J. & Johnson, S.D. (2003)
  Journal of Quantitative Criminology 19:3; as set out in Guerette, R.T. (2009) Analyzing Crime
  Displacement and Diffusion, POP Center Tool Guide 10, appendices B and C.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

DAY_S = 86400.0

# readings of the WDQ (POP Center tool guide 10, appendix C)
READ_DIFFUSION_BIG = "diffusion of benefits larger than the direct effect"
READ_DIFFUSION = "diffusion of benefits: the surrounding area improved too"
READ_NONE = "no displacement and no diffusion"
READ_DISPLACEMENT_SMALL = "some displacement, smaller than the gain: a net benefit"
READ_ECLIPSED = "displacement eclipsed the gain"


# ------------------------------------------------------------------------------------ normal
def z_quantile(confidence: float) -> float:
    """The two-sided normal critical value for a confidence level (0.95 -> 1.959964)."""
    if not 0 < confidence < 1:
        raise ValueError(f"the confidence level must lie between 0 and 1 (got {confidence})")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided normal p-value, 2·(1 − Φ(|z|)) = erfc(|z|/√2) (accurate far into the tail)."""
    if z is None or not math.isfinite(z):
        return float("nan") if z is None or math.isnan(z) else 0.0
    return math.erfc(abs(z) / math.sqrt(2.0))


# ------------------------------------------------------------------------------------ WDD
@dataclass(frozen=True)
class Counts:
    """Crime counts before (0) and after (1) in the four areas of a WDD design."""

    treated: tuple
    control: tuple
    displacement: tuple = (0, 0)
    displacement_control: tuple = (0, 0)

    def __add__(self, other: Counts) -> Counts:
        def add(a, b):
            return (a[0] + b[0], a[1] + b[1])

        return Counts(
            add(self.treated, other.treated),
            add(self.control, other.control),
            add(self.displacement, other.displacement),
            add(self.displacement_control, other.displacement_control),
        )


@dataclass(frozen=True)
class WDD:
    local: float
    displacement: float
    total: float
    se_local: float
    se_displacement: float
    se: float
    z: float
    p: float
    ci_low: float
    ci_high: float
    confidence: float

    @property
    def variance(self) -> float:
        return self.se**2


def _estimate(total: float, variance: float, confidence: float):
    se = math.sqrt(variance)
    z = total / se if se > 0 else (0.0 if total == 0 else math.copysign(math.inf, total))
    q = z_quantile(confidence)
    return se, z, two_sided_p(z), total - q * se, total + q * se


def wdd(counts: Counts, time_weights=(1.0, 1.0), area_weights=None, confidence: float = 0.95) -> WDD:
    """Weighted displacement difference: ``ΔT − ΔCt + ΔD − ΔCd`` (negative = fewer crimes).

    ``time_weights`` (before, after) and ``area_weights`` (a dict with keys treated, control,
    displacement, displacement_control; default all 1, as in the paper) divide each count; the
    Poisson variance of a count divided by w is count / w².

    With no crimes at all the estimate is 0 with a standard error of 0, z = 0 and p = 1.
    """
    aw = {"treated": 1.0, "control": 1.0, "displacement": 1.0, "displacement_control": 1.0}
    aw.update(area_weights or {})
    tw0, tw1 = (float(v) for v in time_weights)
    if min(tw0, tw1, *aw.values()) <= 0:
        raise ValueError("time and area weights must be positive")

    def delta(pair, area):
        w0, w1 = tw0 * aw[area], tw1 * aw[area]
        return pair[1] / w1 - pair[0] / w0, pair[1] / w1**2 + pair[0] / w0**2

    dt, vt = delta(counts.treated, "treated")
    dc, vc = delta(counts.control, "control")
    dd, vd = delta(counts.displacement, "displacement")
    ddc, vdc = delta(counts.displacement_control, "displacement_control")
    local, var_local = dt - dc, vt + vc
    disp, var_disp = dd - ddc, vd + vdc
    total, var = local + disp, var_local + var_disp
    se, z, p, lo, hi = _estimate(total, var, confidence)
    if var == 0:
        p = 1.0 if total == 0 else 0.0
    return WDD(local, disp, total, math.sqrt(var_local), math.sqrt(var_disp), se, z, p, lo, hi, confidence)


def wdd_harm(estimates, ses, weights, confidence: float = 0.95) -> WDD:
    """Harm-weighted total: Σ wᵢ·WDDᵢ with variance Σ wᵢ²·SEᵢ² (the weights never touch counts)."""
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(ses, dtype=float)
    w = np.asarray(weights, dtype=float)
    total = float(np.sum(est * w))
    var = float(np.sum(se**2 * w**2))
    s, z, p, lo, hi = _estimate(total, var, confidence)
    if var == 0:
        p = 1.0 if total == 0 else 0.0
    return WDD(total, 0.0, total, s, 0.0, s, z, p, lo, hi, confidence)


def combine(parts, weights, confidence: float = 0.95) -> WDD:
    """Σ wᵢ·WDDᵢ over parts (e.g. crime types) for local, displacement and total alike."""
    w = np.asarray(weights, dtype=float)
    local = float(sum(wi * r.local for wi, r in zip(w, parts)))
    disp = float(sum(wi * r.displacement for wi, r in zip(w, parts)))
    vl = float(sum(wi**2 * r.se_local**2 for wi, r in zip(w, parts)))
    vd = float(sum(wi**2 * r.se_displacement**2 for wi, r in zip(w, parts)))
    total, var = local + disp, vl + vd
    se, z, p, lo, hi = _estimate(total, var, confidence)
    if var == 0:
        p = 1.0 if total == 0 else 0.0
    return WDD(local, disp, total, math.sqrt(vl), math.sqrt(vd), se, z, p, lo, hi, confidence)


# ------------------------------------------------------------------------------------ E-test
def _log_pmf(x: np.ndarray, mu: float) -> np.ndarray:
    from math import lgamma

    lg = np.array([lgamma(v + 1.0) for v in x])
    if mu == 0:
        return np.where(x == 0, 0.0, -np.inf)
    return x * math.log(mu) - mu - lg


def e_test(k1: int, k2: int, n1: float = 1.0, n2: float = 1.0) -> float:
    """Two-sided Poisson E-test of λ1 = λ2 from counts k1 in exposure n1 and k2 in n2
    (Krishnamoorthy & Thomson 2004). Returns 1.0 when both counts are 0 (nothing to test)."""
    k1, k2 = int(k1), int(k2)
    if k1 < 0 or k2 < 0:
        raise ValueError("counts must not be negative")
    if n1 <= 0 or n2 <= 0:
        raise ValueError("exposures must be positive")
    lam = (k1 + k2) / (n1 + n2)  # (3.4) with d = 0
    if lam <= 0:
        return 1.0
    t_obs = abs(k1 / n1 - k2 / n2) / math.sqrt(k1 / n1**2 + k2 / n2**2)

    def support(mu):
        sd = math.sqrt(mu)
        return np.arange(max(0, math.floor(mu - 12 * sd - 10)), math.ceil(mu + 12 * sd + 20) + 1, dtype=float)

    x1, x2 = support(n1 * lam), support(n2 * lam)
    p1 = np.exp(_log_pmf(x1, n1 * lam))
    p2 = np.exp(_log_pmf(x2, n2 * lam))
    a, b = x1[None, :] / n1, x2[:, None] / n2
    var = a / n1 + b / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.abs(a - b) / np.sqrt(var)
    hit = t >= t_obs * (1 - 1e-12)  # (3.5): the indicator, robust to rounding of equal statistics
    return float(min(1.0, np.sum((p2[:, None] * p1[None, :])[hit])))


# ------------------------------------------------------------------------------------ WDQ
@dataclass(frozen=True)
class WDQ:
    gross_effect: float | None  # Rb − Ra (positive = fewer crimes)
    net_effect: float | None  # Rb/Cb − Ra/Ca
    success: float | None  # Ra/Ca − Rb/Cb (negative = success)
    buffer_measure: float | None  # Da/Ca − Db/Cb
    wdq: float | None
    tne: float | None  # [Rb·Ca/Cb − Ra] + [Db·Ca/Cb − Da] (positive = crimes saved)
    reading: str
    refusal: str = ""


def wdq(rb: float, ra: float, db: float, da: float, cb: float, ca: float) -> WDQ:
    """WDQ and its companions; ``refusal`` says why a figure is undefined (it is None then)."""
    gross = rb - ra
    if cb <= 0 or ca <= 0:
        why = "the control area had no crimes before" if cb <= 0 else "the control area had no crimes after"
        return WDQ(
            gross,
            None,
            None,
            None,
            None,
            None,
            "",
            f"The WDQ, net and total net effects are undefined: {why}, so nothing can be scaled by it.",
        )
    success = ra / ca - rb / cb
    buffer = da / ca - db / cb
    tne = (rb * ca / cb - ra) + (db * ca / cb - da)
    net = rb / cb - ra / ca
    if success >= 0:
        why = (
            "crime in the treated area did not fall relative to the control area"
            if success > 0 or rb > 0
            else "there were no crimes in the treated area to reduce"
        )
        return WDQ(
            gross,
            net,
            success,
            buffer,
            None,
            tne,
            "",
            f"The WDQ is undefined: {why} (success measure {success:+.4g}), so there is no gain "
            f"for displacement to be measured against.",
        )
    q = buffer / success
    if q > 1:
        reading = READ_DIFFUSION_BIG
    elif q > 0:
        reading = READ_DIFFUSION
    elif q == 0:
        reading = READ_NONE
    elif q >= -1:
        reading = READ_DISPLACEMENT_SMALL
    else:
        reading = READ_ECLIPSED
    return WDQ(gross, net, success, buffer, q, tne, reading)


# ------------------------------------------------------------------------------------ dosage
@dataclass(frozen=True)
class Dosage:
    """exp(coefficient of dosage): the ratio of after-crimes per extra hour of presence."""

    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    coef: float | None
    se: float | None
    dispersion: float | None
    zones: int
    method: str
    refusal: str = ""


def poisson_irls(y: np.ndarray, x: np.ndarray, max_iter: int = 100, tol: float = 1e-12):
    """Poisson GLM with log link by iteratively reweighted least squares: (beta, covariance, mu)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    mu = y + 0.5
    eta = np.log(mu)
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        z = eta + (y - mu) / mu
        w = mu
        xtw = x.T * w
        new = np.linalg.solve(xtw @ x, xtw @ z)
        eta = x @ new
        mu = np.exp(eta)
        if np.max(np.abs(new - beta)) < tol:
            beta = new
            break
        beta = new
    cov = np.linalg.inv((x.T * mu) @ x)
    return beta, cov, mu


def dosage_response(before, after, dosage_hours, confidence: float = 0.95) -> Dosage:
    """Poisson regression ``log E[after] = b0 + b1·log(before + 1) + b2·hours``.

    Standard errors are scaled by the Pearson dispersion when it exceeds 1 (quasi-Poisson), so
    overdispersed counts do not give falsely narrow intervals. Refuses (with a sentence) with fewer
    than 4 zones, when presence does not vary, or when no crime happened after."""
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    h = np.asarray(dosage_hours, dtype=float)
    ok = np.isfinite(b) & np.isfinite(a) & np.isfinite(h)
    b, a, h = b[ok], a[ok], h[ok]
    n = len(a)
    method = "Poisson regression of after-counts on log(before + 1) and presence hours"
    if n < 4:
        return Dosage(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            n,
            method,
            f"Dosage-response needs at least 4 treated zones with presence recorded (got {n}).",
        )
    if np.ptp(h) == 0:
        return Dosage(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            n,
            method,
            "Dosage-response is undefined: every zone had the same presence.",
        )
    if a.sum() == 0:
        return Dosage(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            n,
            method,
            "Dosage-response is undefined: no crime was recorded after in any treated zone.",
        )
    design = np.column_stack([np.ones(n), np.log(b + 1.0), h])
    if np.ptp(design[:, 1]) == 0:
        design = design[:, [0, 2]]
    try:
        beta, cov, mu = poisson_irls(a, design)
    except np.linalg.LinAlgError:
        return Dosage(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            n,
            method,
            "Dosage-response could not be estimated (the regression is singular).",
        )
    dof = n - design.shape[1]
    phi = float(np.sum((a - mu) ** 2 / mu) / dof) if dof > 0 else 1.0
    scale = max(phi, 1.0)
    coef = float(beta[-1])
    se = float(math.sqrt(cov[-1, -1] * scale))
    q = z_quantile(confidence)
    if scale > 1:
        method += f" (quasi-Poisson: standard errors scaled by the dispersion {phi:.2f})"
    return Dosage(
        math.exp(coef),
        math.exp(coef - q * se),
        math.exp(coef + q * se),
        two_sided_p(coef / se),
        coef,
        se,
        phi,
        n,
        method,
    )


# ------------------------------------------------------------------------------------ ROI
@dataclass(frozen=True)
class ROI:
    benefit: float  # cost of the crimes prevented (the WDD total, sign flipped, × costs)
    benefit_low: float
    benefit_high: float
    patrol_cost: float
    roi: float | None  # benefit ÷ patrol cost
    roi_low: float | None
    roi_high: float | None
    break_even_rate: float | None  # the cost per officer-hour at which benefit = cost
    officer_hours: float
    crimes_prevented: float
    crimes_prevented_low: float
    crimes_prevented_high: float


def roi(cost_wdd: WDD, crimes_wdd: WDD, officer_hours: float, rate_per_hour: float) -> ROI:
    """Return on investment from a cost-weighted WDD (Σ cost·WDD per type, variance Σ cost²·var)
    and the plain crime WDD: prevented = −WDD, so the interval flips ends."""
    benefit, lo, hi = -cost_wdd.total, -cost_wdd.ci_high, -cost_wdd.ci_low
    patrol = officer_hours * rate_per_hour
    ratio = (lambda v: v / patrol) if patrol > 0 else (lambda v: None)
    breakeven = benefit / officer_hours if officer_hours > 0 else None
    return ROI(
        benefit,
        lo,
        hi,
        patrol,
        ratio(benefit),
        ratio(lo),
        ratio(hi),
        breakeven,
        officer_hours,
        -crimes_wdd.total,
        -crimes_wdd.ci_high,
        -crimes_wdd.ci_low,
    )


# ------------------------------------------------------------------------------------ periods
def time_weights(before_s: float, after_s: float) -> tuple[float, float]:
    """(before, after) weights that put both periods in units of the after period."""
    if before_s <= 0 or after_s <= 0:
        raise ValueError("both periods must have a positive length")
    return before_s / after_s, 1.0


# ------------------------------------------------------------------------------------ sentences
def _n(v: float) -> str:
    return f"{abs(v):,.1f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{abs(v):,.0f}"


def wdd_sentence(r: WDD, what: str = "crimes", where: str = "the patrolled areas") -> str:
    pct = round(r.confidence * 100)
    if r.se == 0 and r.total == 0:
        return (
            f"No {what} were recorded in {where} or their comparison areas in either period, so there is "
            "nothing to evaluate."
        )
    change = (
        "about the same number of"
        if abs(r.total) < 0.05
        else f"{_n(r.total)} fewer"
        if r.total < 0
        else f"{_n(r.total)} more"
    )
    signif = (
        f"a change this large would arise by chance with probability {r.p:.3f}"
        if r.p >= 0.001
        else "a change this large would almost never arise by chance (p < 0.001)"
    )
    verdict = (
        "the evidence of a real reduction is strong"
        if r.p < 0.05 and r.total < 0
        else "the evidence points to a real increase"
        if r.p < 0.05 and r.total > 0
        else "the difference could be chance"
    )
    return (
        f"Taking the comparison areas and the surrounding streets into account, {where} saw {change} "
        f"{what} than expected ({pct}% interval {r.ci_low:+,.1f} to {r.ci_high:+,.1f}); {signif}, so "
        f"{verdict}."
    )


def wdq_sentence(q: WDQ) -> str:
    if q.refusal:
        return q.refusal
    return (
        f"Weighted displacement quotient {q.wdq + 0.0:+.2f}: {q.reading}. Total net effect {q.tne:+,.1f} "
        f"crimes ({'saved' if q.tne > 0 else 'added'} once the buffer is counted)."
    )


# ------------------------------------------------------------------------------------ areas
@dataclass
class Design:
    """The four areas of an evaluation, as shapely geometries in a metric CRS (one per treated zone)."""

    treated: np.ndarray
    control: np.ndarray
    rings: np.ndarray
    control_rings: np.ndarray
    treated_ids: list
    control_ids: list
    notes: list = field(default_factory=list)


def displacement_rings(treated, control, width: float):
    """Rings of ``width`` metres around each treated and each control zone, clipped so that no ring
    overlaps any treated or control zone, and control rings clipped off treated rings (a crime
    counts in one ring at most)."""
    import shapely

    treated = np.asarray(treated, dtype=object)
    control = np.asarray(control, dtype=object)
    zones = shapely.union_all(np.concatenate([treated, control]))
    t_rings = shapely.difference(shapely.buffer(treated, width), zones)
    t_union = shapely.union_all(t_rings)
    c_rings = shapely.difference(shapely.difference(shapely.buffer(control, width), zones), t_union)
    return t_rings, c_rings


def choose_controls(
    treated, treated_before: np.ndarray, forbidden, width: float, bx: np.ndarray, by: np.ndarray, reach: int = 6
):
    """For each treated zone, a same-shape copy moved by whole steps of (zone size + 2·width) in x
    and y (up to ``reach`` steps), not touching ``forbidden`` (treated zones and their rings), whose
    before-period count (points bx, by) is closest to the zone's; ties go to the nearer copy. Each
    copy is used once. Returns (geometries, before counts, (dx, dy) offsets)."""
    import shapely
    from shapely import affinity

    chosen, counts, offsets = [], [], []
    taken = []
    blocked = shapely.union_all(np.asarray(forbidden, dtype=object))
    for zone, target in zip(treated, treated_before):
        x0, y0, x1, y1 = shapely.bounds(zone)
        step = max(x1 - x0, y1 - y0) + 2 * width
        k = np.arange(-reach, reach + 1)
        dx, dy = (a.ravel() * step for a in np.meshgrid(k, k))
        keep = (dx != 0) | (dy != 0)
        dx, dy = dx[keep], dy[keep]
        cands = np.array([affinity.translate(zone, float(a), float(b)) for a, b in zip(dx, dy)], dtype=object)
        halo = shapely.buffer(cands, width)

        def clash(a, b):  # interiors meet (touching edges are fine)
            return shapely.intersects(a, b) & ~shapely.touches(a, b)

        free = ~clash(halo, blocked)
        for g in taken:
            free &= ~clash(halo, g)
        if not free.any():
            raise ValueError("no untreated area of the same size is free around a treated zone; give CONTROL zones")
        idx = np.flatnonzero(free)
        n = count_in(cands[idx], bx, by)
        dist = np.hypot(dx[idx], dy[idx])
        best = idx[np.lexsort((dist, np.abs(n - target)))[0]]
        chosen.append(cands[best])
        counts.append(int(count_in(cands[best : best + 1], bx, by)[0]))
        offsets.append((float(dx[best]), float(dy[best])))
        taken.append(shapely.buffer(cands[best], width))
    return np.array(chosen, dtype=object), np.array(counts), offsets


def count_in(geoms, x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """How many points (or their summed weight) fall in each geometry (boundary included)."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=float if weight is not None else np.int64)
    if len(x) == 0 or len(geoms) == 0:
        return out
    pts = shapely.points(x, y)
    tree = shapely.STRtree(pts)
    for i, g in enumerate(geoms):
        if g is None or shapely.is_empty(g):
            continue
        hit = tree.query(g, predicate="intersects")
        out[i] = len(hit) if weight is None else float(np.sum(weight[hit]))
    return out


def which_area(geoms, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For every point, the index of the first geometry holding it, or −1."""
    import shapely

    area = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0:
        return area
    pts = shapely.points(x, y)
    tree = shapely.STRtree(pts)
    for i, g in enumerate(np.asarray(geoms, dtype=object)):
        if g is None or shapely.is_empty(g):
            continue
        hit = tree.query(g, predicate="intersects")
        hit = hit[area[hit] < 0]
        area[hit] = i
    return area


# ------------------------------------------------------------------------------------ whole run
@dataclass
class Crimes:
    """Crime points in the working CRS with their time (UTC seconds), type and harm weight."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    kind: np.ndarray | None = None  # object array of type labels (as written), or None
    harm: np.ndarray | None = None  # per-crime harm weight, or None


@dataclass
class Options:
    before: tuple  # (start, end) UTC seconds, end exclusive
    after: tuple
    buffer: float = 150.0
    confidence: float = 0.95
    area_weights: bool = False
    harm_table: dict | None = None  # case-folded type -> weight
    costs: dict | None = None  # case-folded type -> cost of one crime ("*" = any type)
    cost_source: str = ""
    patrol_rate: float = 0.0  # cost per officer-hour
    presence_min: dict | None = None  # zone id -> presence minutes (dosage)
    officer_min: dict | None = None  # zone id -> officer minutes (patrol hours delivered)


@dataclass
class Evaluation:
    zones: list  # one dict per treated zone
    overall: dict
    by_type: list  # dicts per crime type (and a harm row)
    wdd: WDD
    wdq: WDQ
    harm: WDD | None
    dosage: Dosage | None
    roi: ROI | None
    design: Design
    headline: str
    control_choice: str
    notes: list = field(default_factory=list)


def _period_counts(area_idx: np.ndarray, t: np.ndarray, n: int, period: tuple, mask=None) -> np.ndarray:
    sel = (t >= period[0]) & (t < period[1]) & (area_idx >= 0)
    if mask is not None:
        sel &= mask
    return np.bincount(area_idx[sel], minlength=n)[:n]


def evaluate(crimes: Crimes, treated, treated_ids, control, control_ids, opts: Options) -> Evaluation:
    """The whole evaluation: areas, counts, WDD (overall, per zone, per type, harm), WDQ, E-test,
    dosage-response and return on investment. ``control`` None = chosen automatically."""
    import shapely

    notes: list[str] = []
    treated = np.asarray(treated, dtype=object)
    nt = len(treated)
    tw = time_weights(opts.before[1] - opts.before[0], opts.after[1] - opts.after[0])
    if tw[0] != 1:
        notes.append(
            f"The before period is {tw[0]:.3g} times as long as the after period: counts are "
            f"weighted by period length (WDD in crimes per after period)."
        )
    in_before = (crimes.t >= opts.before[0]) & (crimes.t < opts.before[1])
    if control is None:
        t_before = count_in(treated, crimes.x[in_before], crimes.y[in_before])
        forbidden = shapely.buffer(treated, opts.buffer)
        control, c_before, offsets = choose_controls(
            treated, t_before, forbidden, opts.buffer, crimes.x[in_before], crimes.y[in_before]
        )
        control_ids = [f"C-{tid}" for tid in treated_ids]
        choice = "; ".join(
            f"{cid} for {tid}: the zone's shape moved {dx:+.0f} m east, {dy:+.0f} m north "
            f"({int(cb)} crimes before vs {int(tb)})"
            for cid, tid, (dx, dy), cb, tb in zip(control_ids, treated_ids, offsets, c_before, t_before)
        )
        control_choice = (
            "Control areas chosen automatically (same shape and size, outside every displacement "
            "ring, closest before-period count): " + choice + "."
        )
    else:
        control = np.asarray(control, dtype=object)
        control_choice = f"Control areas given: {', '.join(map(str, control_ids))}."
    nc = len(control)
    paired = nc == nt
    if not paired:
        notes.append(
            f"{nt} treated zones and {nc} control zones: each zone is compared with the average control "
            f"(control counts divided by {nc}); the overall result uses all of them."
        )
    rings, c_rings = displacement_rings(treated, control, opts.buffer)
    design = Design(treated, control, rings, c_rings, list(treated_ids), list(control_ids), notes)

    # which area every crime is in (an area wins over a ring; a crime counts once)
    groups = [treated, control, rings, c_rings]
    idx = [which_area(g, crimes.x, crimes.y) for g in groups]
    taken = np.zeros(len(crimes.x), dtype=bool)
    for k in range(4):
        idx[k][taken] = -1
        taken |= idx[k] >= 0
    sizes = [nt, nc, nt, nc]

    def counts_by_area(mask=None):
        return [
            (
                _period_counts(idx[k], crimes.t, sizes[k], opts.before, mask),
                _period_counts(idx[k], crimes.t, sizes[k], opts.after, mask),
            )
            for k in range(4)
        ]

    def aw(i=None):
        if not opts.area_weights:
            return None
        areas = [shapely.area(g) for g in groups]
        if i is None:
            base = float(np.sum(areas[0]))
            return {
                "treated": 1.0,
                "control": float(np.sum(areas[1])) / base,
                "displacement": float(np.sum(areas[2])) / base,
                "displacement_control": float(np.sum(areas[3])) / base,
            }
        j = i if paired else None
        base = float(areas[0][i])
        ctl = float(areas[1][j]) if j is not None else float(np.mean(areas[1]))
        cring = float(areas[3][j]) if j is not None else float(np.mean(areas[3]))
        return {
            "treated": 1.0,
            "control": ctl / base,
            "displacement": float(areas[2][i]) / base,
            "displacement_control": cring / base,
        }

    def design_counts(c, i=None) -> Counts:
        (t0, t1), (c0, c1), (d0, d1), (e0, e1) = c
        if i is None:
            return Counts(
                (int(t0.sum()), int(t1.sum())),
                (int(c0.sum()), int(c1.sum())),
                (int(d0.sum()), int(d1.sum())),
                (int(e0.sum()), int(e1.sum())),
            )
        if paired:
            return Counts(
                (int(t0[i]), int(t1[i])), (int(c0[i]), int(c1[i])), (int(d0[i]), int(d1[i])), (int(e0[i]), int(e1[i]))
            )
        return Counts(
            (int(t0[i]), int(t1[i])),
            (c0.sum() / nc, c1.sum() / nc),
            (int(d0[i]), int(d1[i])),
            (e0.sum() / nc, e1.sum() / nc),
        )

    conf = opts.confidence
    allc = counts_by_area()
    total_counts = design_counts(allc)
    overall_wdd = wdd(total_counts, tw, aw(), conf)
    tc = total_counts
    overall_wdq = wdq(
        tc.treated[0] / tw[0],
        tc.treated[1],
        tc.displacement[0] / tw[0],
        tc.displacement[1],
        tc.control[0] / tw[0],
        tc.control[1],
    )
    e_p = e_test(tc.treated[1], tc.treated[0], 1.0, tw[0])

    zones = []
    for i in range(nt):
        c = design_counts(allc, i)
        r = wdd(c, tw, aw(i), conf)
        q = wdq(
            c.treated[0] / tw[0],
            c.treated[1],
            c.displacement[0] / tw[0],
            c.displacement[1],
            c.control[0] / tw[0],
            c.control[1],
        )
        zid = str(treated_ids[i])
        zones.append(
            {
                "zone_id": zid,
                "control_id": str(control_ids[i]) if paired else "all controls",
                "counts": c,
                "wdd": r,
                "wdq": q,
                "e_test_p": e_test(c.treated[1], c.treated[0], 1.0, tw[0]),
                "presence_min": (opts.presence_min or {}).get(zid),
                "officer_min": (opts.officer_min or {}).get(zid),
                "sentence": wdd_sentence(r, where=f"zone {zid}") + " " + wdq_sentence(q),
            }
        )

    # per type, harm and costs
    by_type, type_wdd = [], {}
    if crimes.kind is not None:
        folded = np.array([None if k is None else str(k).strip().casefold() for k in crimes.kind], dtype=object)
        shown = {}
        for k, raw in zip(folded, crimes.kind):
            if k is not None:
                shown.setdefault(k, str(raw).strip())
        for k in sorted(shown):
            c = design_counts(counts_by_area(folded == k))
            r = wdd(c, tw, aw(), conf)
            type_wdd[k] = r
            by_type.append(
                {
                    "group": shown[k],
                    "counts": c,
                    "wdd": r,
                    "sentence": wdd_sentence(r, what=f"{shown[k].lower()} crimes"),
                }
            )
    harm = None
    if opts.harm_table is not None and type_wdd:
        keys = [k for k in type_wdd if k in opts.harm_table]
        missing = [k for k in type_wdd if k not in opts.harm_table]
        if missing:
            notes.append("Crime types without a harm weight (left out of the harm total): " + ", ".join(missing) + ".")
        harm = combine([type_wdd[k] for k in keys], [opts.harm_table[k] for k in keys], conf)
    elif crimes.harm is not None:
        levels = np.unique(crimes.harm[np.isfinite(crimes.harm)])
        parts = [wdd(design_counts(counts_by_area(crimes.harm == w)), tw, aw(), conf) for w in levels]
        harm = combine(parts, levels, conf)
    if harm is not None:
        by_type.append(
            {
                "group": "harm-weighted total",
                "counts": None,
                "wdd": harm,
                "sentence": wdd_sentence(harm, what="units of harm"),
            }
        )

    dosage = None
    if opts.presence_min:
        pres = [z["presence_min"] for z in zones]
        have = [i for i, v in enumerate(pres) if v is not None]
        tw0 = tw[0]
        dosage = dosage_response(
            [zones[i]["counts"].treated[0] / tw0 for i in have],
            [zones[i]["counts"].treated[1] for i in have],
            [pres[i] / 60.0 for i in have],
            conf,
        )

    result_roi = None
    if opts.costs and opts.patrol_rate > 0 and opts.officer_min:
        hours = float(sum(v for v in opts.officer_min.values() if v)) / 60.0
        if "*" in opts.costs and not type_wdd:
            cost_wdd = combine([overall_wdd], [opts.costs["*"]], conf)
        else:
            keys = [k for k in type_wdd if k in opts.costs or "*" in opts.costs]
            cost_wdd = combine(
                [type_wdd[k] for k in keys], [opts.costs.get(k, opts.costs.get("*")) for k in keys], conf
            )
            left = [k for k in type_wdd if k not in keys]
            if left:
                notes.append(
                    "Crime types without a cost (left out of the return on investment): " + ", ".join(left) + "."
                )
        result_roi = roi(cost_wdd, overall_wdd, hours, opts.patrol_rate)

    headline = headline_sentence(overall_wdd, overall_wdq, nt, result_roi, opts.cost_source)
    overall = {
        "counts": total_counts,
        "e_test_p": e_p,
        "sentence": wdd_sentence(overall_wdd) + " " + wdq_sentence(overall_wdq),
    }
    return Evaluation(
        zones,
        overall,
        by_type,
        overall_wdd,
        overall_wdq,
        harm,
        dosage,
        result_roi,
        design,
        headline,
        control_choice,
        notes,
    )


def headline_sentence(r: WDD, q: WDQ, zones: int, money: ROI | None = None, cost_source: str = "") -> str:
    pct = round(r.confidence * 100)
    if r.se == 0 and r.total == 0:
        return f"No crimes were recorded in the {zones} patrolled zones or their comparison areas: nothing to evaluate."
    if r.total < 0:
        core = f"Across {zones} patrolled zones, about {_n(r.total)} fewer crimes than expected"
    elif r.total > 0:
        core = f"Across {zones} patrolled zones, about {_n(r.total)} more crimes than expected"
    else:
        core = f"Across {zones} patrolled zones, crime was as expected"
    core += (
        f" after allowing for the comparison areas and the surrounding streets ({pct}% interval "
        f"{r.ci_low:+,.0f} to {r.ci_high:+,.0f}"
    )
    core += ", p < 0.001)." if r.p < 0.001 else f", p = {r.p:.3f})."
    core += (
        " The fall is unlikely to be chance."
        if r.p < 0.05 and r.total < 0
        else " The rise is unlikely to be chance."
        if r.p < 0.05 and r.total > 0
        else " The difference could be chance."
    )
    if q.wdq is not None:
        core += f" Nearby streets: {q.reading}."
    if money is not None and money.roi is not None:
        core += (
            f" Return: {money.roi:.2f} for every 1 spent ({pct}% interval {money.roi_low:.2f} to "
            f"{money.roi_high:.2f}; costs of crime from {cost_source or 'the user'})."
        )
    return core
