"""Charts of an evaluation as PNG files, drawn offline with matplotlib (Agg; no display, no network).

matplotlib ships with QGIS on Windows and macOS and with Debian's QGIS; where it is missing the
charts are skipped with one sentence and everything else still runs.
"""

from __future__ import annotations

# colour-blind-safe (Okabe-Ito)
BEFORE = "#999999"
AFTER = "#0072B2"
POINT = "#D55E00"


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except Exception:
        return False
    return True


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def before_after(path: str, counts, title: str = "Crimes before and after, by area") -> str:
    """Grouped bars of before/after counts for treated, control, ring and the ring's control.
    ``counts`` is a core.evaluation.Counts (before counts already in after-period units)."""
    plt = _pyplot()
    labels = ["Patrolled zones", "Control zones", "Ring around patrolled", "Ring around control"]
    pairs = [counts.treated, counts.control, counts.displacement, counts.displacement_control]
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=110)
    xs = range(len(labels))
    w = 0.38
    b = ax.bar([x - w / 2 for x in xs], [p[0] for p in pairs], w, label="Before", color=BEFORE)
    a = ax.bar([x + w / 2 for x in xs], [p[1] for p in pairs], w, label="After", color=AFTER)
    ax.bar_label(b, fmt="%.0f", fontsize=8)
    ax.bar_label(a, fmt="%.0f", fontsize=8)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=9)
    ax.set_ylabel("Crimes")
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def dosage(path: str, hours, change, labels, rate_ratio: float | None = None) -> str:
    """Presence hours per zone against the change in crime (after − before), one labelled dot each."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.0), dpi=110)
    ax.scatter(hours, change, color=POINT, zorder=3)
    for h, c, text in zip(hours, change, labels):
        ax.annotate(str(text), (h, c), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Police presence in the zone (hours)")
    ax.set_ylabel("Change in crimes (after − before)")
    title = "Dosage and response"
    if rate_ratio is not None:
        title += f": crime rate ×{rate_ratio:.3f} per extra hour"
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def monthly_hours(path: str, months, hours, title: str = "Patrol hours delivered per month") -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 3.2), dpi=110)
    bars = ax.bar(list(months), list(hours), color=AFTER)
    ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_ylabel("Hours")
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
