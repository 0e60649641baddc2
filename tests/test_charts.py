"""Survey charts and the project style, read back from the drawn Axes.

The tables are built by hand in the shapes ``evstudy.survey`` returns, with
Wilson intervals from statsmodels, so every expected order, width and label
below follows from numbers written in this file.
"""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.container import BarContainer
from statsmodels.stats.proportion import proportion_confint

from evstudy.charts import (
    apply_style,
    awareness_chart,
    chart_style,
    likert_chart,
    ranking_chart,
    style,
    subgroup_chart,
)

SCALE = [
    ("Not at all", "negative"),
    ("A little", "negative"),
    ("Somewhat", "neutral"),
    ("A lot", "positive"),
    ("A great deal", "positive"),
]
# item_id, label, counts per category in scale order
ITEMS = [
    ("families", "The views of children and families", [2, 5, 10, 20, 15]),  # 35/52 positive
    ("research", "Research evidence about what works", [8, 12, 14, 10, 6]),  # 16/50
    ("cost", "Cost and the resources available", [0, 2, 6, 20, 22]),  # 42/50
    ("political", "Political priorities and elected members", [10, 15, 12, 8, 3]),  # 11/48
]
BY_POSITIVE = [
    "Cost and the resources available",
    "The views of children and families",
    "Research evidence about what works",
    "Political priorities and elected members",
]
BARRIERS = [  # option, chosen by, of 49
    ("Lack of time and capacity", 20),
    ("An organisational culture that does not value evidence", 22),
    ("Budget pressures and the cost of programmes", 18),
    ("Difficulty finding or accessing evidence", 9),
    ("Staff turnover and loss of knowledge", 4),
]
TOOLKIT_SCALE = ["Not aware", "Aware, not used", "Used occasionally", "Used regularly"]
TOOLKITS = [
    ("eif", "EIF Guidebook", [10, 15, 17, 10]),  # 27/52 used
    ("wwcsc", "What Works for Children's Social Care toolkit", [20, 15, 10, 7]),  # 17/52
    ("rip", "Research in Practice", [5, 10, 17, 20]),  # 37/52
]


def likert_table(items=ITEMS, scale=SCALE, by: str | None = None, group=None) -> pd.DataFrame:
    rows = []
    for item_id, label, counts in items:
        base = sum(counts)
        for position, ((category, valence), n) in enumerate(zip(scale, counts, strict=True)):
            row = {
                "item_id": item_id,
                "item_label": label,
                "category": category,
                "position": position,
                "valence": valence,
                "n": n,
                "base": base,
                "pct": n / base,
            }
            rows.append({by: group, **row} if by else row)
    return pd.DataFrame(rows)


def choice_table(options=BARRIERS, base=49, by: str | None = None, group=None) -> pd.DataFrame:
    rows = []
    for i, (option, n) in enumerate(options):
        low, high = proportion_confint(n, base, alpha=0.05, method="wilson")
        row = {
            "option": option,
            "code": f"barrier.{i}",
            "n": n,
            "base": base,
            "pct": n / base,
            "ci_low": low,
            "ci_high": high,
        }
        rows.append({by: group, **row} if by else row)
    table = pd.DataFrame(rows)
    table["rank"] = table["pct"].rank(ascending=False, method="min").astype(int)
    return table


def toolkit_table() -> pd.DataFrame:
    rows = []
    for item_id, label, counts in TOOLKITS:
        for position, (category, n) in enumerate(zip(TOOLKIT_SCALE, counts, strict=True)):
            rows.append(
                {
                    "item_id": item_id,
                    "item_label": label,
                    "category": category,
                    "position": position,
                    "n": n,
                    "base": sum(counts),
                    "pct": n / sum(counts),
                }
            )
    return pd.DataFrame(rows)


def ylabels(ax) -> list[str]:
    """Y tick labels top to bottom, with wrapped lines joined again.

    Read through the formatter: inner panels of shared axes hide their labels.
    """
    ticks = sorted(ax.get_yticks())
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks)
    bottom, top = ax.get_ylim()
    labels = labels if top < bottom else labels[::-1]  # the first item sits at the top
    return [label.replace("\n", " ") for label in labels]


def bars(ax) -> BarContainer:
    """The bars of a single-series chart (an ErrorbarContainer sits beside them)."""
    return next(c for c in ax.containers if isinstance(c, BarContainer))


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def hexes(patches) -> set[str]:
    return {to_hex(p.get_facecolor(), keep_alpha=False) for p in patches}


def luminance(colour: str) -> float:
    """WCAG relative luminance."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


@pytest.fixture
def close_all():
    yield
    plt.close("all")


# --- Likert --------------------------------------------------------------------------------------


def test_likert_has_one_bar_per_item_and_category_in_scale_order():
    fig, _ = likert_chart(likert_table(), title="Influences")
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == [c for c, _ in SCALE]
    assert [len(c.patches) for c in ax.containers] == [4] * 5
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [c for c, _ in SCALE]
    plt.close(fig)


def test_likert_items_sorted_by_percent_positive_highest_at_top():
    fig, _ = likert_chart(likert_table(), title="Influences")
    assert ylabels(fig.axes[0]) == BY_POSITIVE
    plt.close(fig)


def test_likert_negative_left_positive_right_neutral_split_evenly():
    table = likert_table()
    fig, _ = likert_chart(table, title="Influences")
    ax = fig.axes[0]
    by_label = {label: i for i, label in enumerate(ylabels(ax))}
    expected = table.set_index(["item_label", "category"])["pct"]
    for container, (category, valence) in zip(ax.containers, SCALE, strict=True):
        for patch in container.patches:
            row = round(patch.get_y() + patch.get_height() / 2)
            label = next(k for k, v in by_label.items() if v == row)
            x0, width = patch.get_x(), patch.get_width()
            assert width == pytest.approx(expected[(label, category)])
            if valence == "negative":
                assert x0 + width <= 1e-12
            elif valence == "positive":
                assert x0 >= -1e-12
            else:
                assert x0 == pytest.approx(-width / 2)
                assert x0 + width == pytest.approx(width / 2)
    plt.close(fig)


def test_likert_bars_reach_exactly_the_negative_and_positive_shares():
    # Cost: 0 + 2 negative, 6 neutral, 20 + 22 positive of 50.
    fig, _ = likert_chart(likert_table(), title="Influences")
    ax = fig.axes[0]
    top = [c.patches[0] for c in ax.containers]  # the first item drawn is the top row (Cost)
    left = min(p.get_x() for p in top)
    right = max(p.get_x() + p.get_width() for p in top)
    assert left == pytest.approx(-(2 + 3) / 50)
    assert right == pytest.approx((42 + 3) / 50)
    assert {"4%", "84%"} <= set(texts(ax))  # totals written at the bar ends
    plt.close(fig)


def test_likert_shows_n_per_item_on_the_right():
    fig, _ = likert_chart(likert_table(), title="Influences")
    ax = fig.axes[0]
    n_texts = sorted(
        (t.get_position()[1], t.get_text()) for t in ax.texts if "n = " in t.get_text()
    )
    assert [text for _, text in n_texts] == ["n = 50", "n = 52", "n = 50", "n = 48"]
    assert all(t.get_position()[0] > 1 for t in ax.texts if "n = " in t.get_text())
    assert ax.get_title(loc="left") == "Influences (n = 48–52)"
    plt.close(fig)


def test_likert_x_axis_is_percent_without_signs():
    fig, _ = likert_chart(likert_table(), title="Influences")
    formatter = fig.axes[0].xaxis.get_major_formatter()
    assert formatter(-0.5, 0) == "50%" and formatter(0.25, 0) == "25%"
    low, high = fig.axes[0].get_xlim()
    assert low == pytest.approx(-high)
    plt.close(fig)


def test_likert_uses_the_style_palette():
    fig, _ = likert_chart(likert_table(), title="Influences")
    colours = [hexes(c.patches) for c in fig.axes[0].containers]
    assert colours == [{"#b2182b"}, {"#f4a582"}, {style.NEUTRAL_GREY}, {"#92c5de"}, {"#2166ac"}]
    plt.close(fig)


def test_likert_ties_go_to_the_less_negative_item():
    items = [
        ("a", "Item A", [10, 0, 10, 10, 0]),  # 1/3 positive, 1/3 negative
        ("b", "Item B", [0, 0, 20, 10, 0]),  # 1/3 positive, none negative
    ]
    fig, _ = likert_chart(likert_table(items), title="Tie")
    assert ylabels(fig.axes[0]) == ["Item B", "Item A"]
    plt.close(fig)


def test_likert_summary_orders_items_when_given():
    summary = pd.DataFrame(
        {
            "item_id": ["families", "research", "cost", "political"],
            "pct_positive": [0.1, 0.9, 0.5, 0.3],
        }
    )
    fig, _ = likert_chart(likert_table(), title="Influences", summary=summary)
    assert ylabels(fig.axes[0])[:2] == [
        "Research evidence about what works",
        "Cost and the resources available",
    ]
    plt.close(fig)


def test_likert_even_scale_meets_at_zero():
    scale = [(c, v) for c, v in SCALE if v != "neutral"]
    items = [("x", "Item", [5, 5, 5, 5])]
    fig, _ = likert_chart(likert_table(items, scale), title="Even")
    ax = fig.axes[0]
    assert ax.containers[1].patches[0].get_x() + ax.containers[1].patches[0].get_width() == 0
    assert ax.containers[2].patches[0].get_x() == 0
    plt.close(fig)


def test_likert_alt_text_names_n_and_the_top_item():
    _, alt = likert_chart(likert_table(), title="Influences on decisions")
    assert alt.startswith("Diverging stacked bar chart of influences on decisions (n = 48–52)")
    assert "Cost and the resources available 84% positive, 4% negative" in alt
    assert alt.index("Cost") < alt.index("Political")
    assert alt.endswith(".") and alt.count(". ") == 0  # one sentence


def test_likert_rejects_a_scale_out_of_order():
    table = likert_table()
    table.loc[table["category"] == "Not at all", "valence"] = "positive"
    with pytest.raises(ValueError, match="negative -> neutral -> positive"):
        likert_chart(table, title="x")
    with pytest.raises(ValueError, match="missing columns"):
        likert_chart(table.drop(columns="valence"), title="x")


# --- ranking -------------------------------------------------------------------------------------


def test_ranking_bars_sorted_largest_at_top():
    table = choice_table()
    fig, _ = ranking_chart(table, title="Barriers")
    ax = fig.axes[0]
    patches = bars(ax).patches
    assert len(patches) == 5
    widths = [b.get_width() for b in sorted(patches, key=lambda b: b.get_y())]
    assert widths == pytest.approx([22 / 49, 20 / 49, 18 / 49, 9 / 49, 4 / 49])
    assert ylabels(ax) == [BARRIERS[i][0] for i in (1, 0, 2, 3, 4)]
    plt.close(fig)


def test_ranking_error_bars_equal_the_wilson_columns():
    table = choice_table()
    fig, _ = ranking_chart(table, title="Barriers")
    ax = fig.axes[0]
    segments = bars(ax).errorbar.lines[2][0].get_segments()
    drawn = sorted((seg[0][1], seg[0][0], seg[1][0]) for seg in segments)
    expected = table.sort_values("pct", ascending=False)
    assert [d[1] for d in drawn] == pytest.approx(list(expected["ci_low"]))
    assert [d[2] for d in drawn] == pytest.approx(list(expected["ci_high"]))
    # The top bar's interval against Wilson's (1927) score formula, written out.
    n, k, z = 49, 22, 1.959964
    centre = (k / n + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(k / n * (1 - k / n) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert drawn[0][1:] == pytest.approx((centre - half, centre + half), abs=1e-6)
    plt.close(fig)


def test_ranking_shows_n_percent_axis_and_the_style_colour():
    fig, _ = ranking_chart(choice_table(), title="Barriers")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Barriers (n = 49)"
    assert "95% Wilson" in ax.get_xlabel()
    assert ax.xaxis.get_major_formatter()(0.3, 0) == "30%"
    assert hexes(bars(ax).patches) == {style.ACCENT.lower()}
    assert style.OKABE_ITO[0] == style.ACCENT
    assert "45%" in texts(ax)
    plt.close(fig)


def test_ranking_top_keeps_the_largest():
    fig, alt = ranking_chart(choice_table(), title="Barriers", top=3)
    ax = fig.axes[0]
    assert len(bars(ax).patches) == 3
    assert ylabels(ax)[-1] == BARRIERS[2][0]
    assert "top 3 of 5 options" in alt
    plt.close(fig)


def test_ranking_alt_text_mentions_n_and_top_item():
    _, alt = ranking_chart(choice_table(), title="Most significant barriers")
    assert alt.startswith("Horizontal bar chart of most significant barriers (n = 49)")
    assert "An organisational culture that does not value evidence 45% (32%–59%)" in alt
    assert alt.index("organisational culture") < alt.index("Lack of time")
    assert alt.endswith(".") and alt.count(". ") == 0


def test_ranking_suppressed_cell_is_marked_c_and_sorted_last():
    table = choice_table()
    table.loc[0, ["pct", "ci_low", "ci_high"]] = np.nan
    fig, alt = ranking_chart(table, title="Barriers")
    ax = fig.axes[0]
    assert ylabels(ax)[-1] == BARRIERS[0][0]
    assert "c" in texts(ax)
    assert f"{BARRIERS[0][0]} c" in alt
    plt.close(fig)


def test_ranking_validates_arguments():
    with pytest.raises(ValueError, match="`top` must be one of"):
        ranking_chart(choice_table(), title="x", top=0)
    with pytest.raises(ValueError, match="missing columns"):
        ranking_chart(choice_table().drop(columns="ci_low"), title="x")
    with pytest.raises(ValueError, match="no rows"):
        ranking_chart(choice_table().iloc[:0], title="x")


# --- awareness and use ---------------------------------------------------------------------------


USED = TOOLKIT_SCALE[2:]  # the scale points that mean "used", as a study declares them


def test_awareness_stacks_to_100_percent_ordered_by_use():
    fig, alt = awareness_chart(toolkit_table(), title="Toolkits", used=USED)
    ax = fig.axes[0]
    assert ylabels(ax) == [
        "Research in Practice",
        "EIF Guidebook",
        "What Works for Children's Social Care toolkit",
    ]
    # Most use on the left, so the % used shares a baseline.
    assert [c.get_label() for c in ax.containers] == TOOLKIT_SCALE[::-1]
    for row in range(3):
        segments = [c.patches[row] for c in ax.containers]
        assert segments[0].get_x() == 0
        assert segments[-1].get_x() + segments[-1].get_width() == pytest.approx(1)
    used = bars(ax).patches[0].get_width() + ax.containers[1].patches[0].get_width()
    assert used == pytest.approx(37 / 52)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == TOOLKIT_SCALE[::-1]
    assert sum(t == "n = 52" for t in texts(ax)) == 3
    assert ax.get_title(loc="left") == "Toolkits (n = 52)"
    plt.close(fig)
    assert "Research in Practice 71% used, 10% not aware" in alt
    assert "(n = 52)" in alt


def test_awareness_orders_by_the_declared_used_points():
    # Only occasional use counts as "used": EIF Guidebook (17 of 52) ties Research in
    # Practice (17) and comes first, as given; by all use, Research in Practice leads.
    fig, alt = awareness_chart(toolkit_table(), title="Toolkits", used=[TOOLKIT_SCALE[2]])
    assert ylabels(fig.axes[0]) == [
        "EIF Guidebook",
        "Research in Practice",
        "What Works for Children's Social Care toolkit",
    ]
    assert "EIF Guidebook 33% used" in alt
    plt.close(fig)
    with pytest.raises(ValueError, match="`used` must be points of the scale"):
        awareness_chart(toolkit_table(), title="Toolkits", used=["Often"])


def test_awareness_uses_the_sequential_palette_darkest_for_most_use():
    fig, _ = awareness_chart(toolkit_table(), title="Toolkits", used=USED)
    colours = [hexes(c.patches).pop() for c in fig.axes[0].containers]
    assert colours == style.sequential_palette(4)[::-1]
    assert luminance(colours[0]) < luminance(colours[-1])
    plt.close(fig)


# --- subgroups -----------------------------------------------------------------------------------


def grouped_likert() -> pd.DataFrame:
    flipped = [(i, label, counts[::-1]) for i, label, counts in ITEMS]
    return pd.concat(
        [
            likert_table(ITEMS, by="role_group", group="Commissioners"),
            likert_table(flipped, by="role_group", group="Managers"),
        ],
        ignore_index=True,
    )


def test_subgroup_likert_one_panel_per_group_with_n_and_shared_axes():
    fig, alt = subgroup_chart(grouped_likert(), by="role_group", title="By role")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "Commissioners (n = 48–52)",
        "Managers (n = 48–52)",
    ]
    assert panels[0].get_xlim() == panels[1].get_xlim()
    # One item order in every panel, by pooled % positive: with one group's scale flipped,
    # pooled positive is (positive + negative) / (2 * base): cost 44/100, families 42/104,
    # political 36/96, research 36/100; not the order of either group alone.
    assert (
        ylabels(panels[0])
        == ylabels(panels[1])
        == [
            "Cost and the resources available",
            "The views of children and families",
            "Political priorities and elected members",
            "Research evidence about what works",
        ]
    )
    assert all(len(c.patches) == 4 for ax in panels for c in ax.containers)
    assert "Commissioners (n = 48–52) most positive about Cost" in alt
    assert "2 panels by role_group" in alt
    plt.close(fig)


def test_subgroup_draws_only_groups_present():
    table = grouped_likert()
    table["role_group"] = pd.Categorical(
        table["role_group"], categories=["Directors", "Managers", "Commissioners"]
    )
    fig, _ = subgroup_chart(table, by="role_group", title="By role")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left").split(" (")[0] for ax in panels] == [
        "Managers",
        "Commissioners",
    ]
    plt.close(fig)


def test_subgroup_choice_panels_carry_each_groups_intervals():
    a = choice_table(BARRIERS, 49, by="role_group", group="A")
    b = choice_table([(o, n // 2) for o, n in BARRIERS], 20, by="role_group", group="B")
    table = pd.concat([a, b], ignore_index=True)
    fig, alt = subgroup_chart(table, by="role_group", title="Barriers by role")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == ["A (n = 49)", "B (n = 20)"]
    for ax, part in zip(panels, (a, b), strict=True):
        segments = bars(ax).errorbar.lines[2][0].get_segments()
        lows = sorted(seg[0][0] for seg in segments)
        assert lows == pytest.approx(sorted(part["ci_low"]))
    assert ylabels(panels[0]) == ylabels(panels[1])
    assert "A (n = 49) most often chose An organisational culture" in alt
    plt.close(fig)


def test_subgroup_validates_by_and_table_shape():
    with pytest.raises(ValueError, match="`by` must be one of"):
        subgroup_chart(grouped_likert(), by="region", title="x")
    with pytest.raises(ValueError, match="Likert table"):
        subgroup_chart(pd.DataFrame({"g": [1], "x": [2]}), by="g", title="x")


# --- style ---------------------------------------------------------------------------------------


def test_importing_the_charts_changes_no_rcparams():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams); import evstudy.charts; "
        "assert dict(mpl.rcParams) == before"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_chart_style_is_scoped_and_apply_style_sets_it():
    before = mpl.rcParams["font.sans-serif"]
    with chart_style():
        assert mpl.rcParams["font.sans-serif"] == ["DejaVu Sans"]
        assert mpl.rcParams["svg.hashsalt"] == "evstudy"
    assert mpl.rcParams["font.sans-serif"] == before
    with mpl.rc_context():
        apply_style()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(style.OKABE_ITO)
    assert mpl.rcParams["font.sans-serif"] == before


def test_charts_use_one_font_throughout(close_all):
    fig, _ = ranking_chart(choice_table(), title="Barriers")
    ax = fig.axes[0]
    for text in [ax.title, ax.xaxis.label, *ax.get_yticklabels(), *ax.texts]:
        assert text.get_fontname() == "DejaVu Sans"


def test_likert_palette_is_colorbrewer_rdbu_ordered_by_lightness():
    five = style.likert_palette([v for _, v in SCALE])
    assert five == ["#b2182b", "#f4a582", style.NEUTRAL_GREY, "#92c5de", "#2166ac"]
    seven = style.likert_palette(["negative"] * 3 + ["neutral"] + ["positive"] * 3)
    # Each side gets lighter towards the middle, so the order survives in greyscale.
    assert luminance(seven[0]) < luminance(seven[1]) < luminance(seven[2])
    assert luminance(seven[6]) < luminance(seven[5]) < luminance(seven[4])
    with pytest.raises(ValueError, match="`valences` must be one of"):
        style.likert_palette(["negative", "agree"])


def test_okabe_ito_is_the_published_palette():
    assert set(style.OKABE_ITO) == {
        "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
    }  # fmt: skip


def test_n_helpers():
    assert style.n_label([52, 52]) == "n = 52"
    assert style.n_label([46, 52, float("nan")]) == "n = 46–52"
    assert style.with_n("Commissioners", 14) == "Commissioners (n = 14)"
    assert style.fmt_pct(0.449) == "45%" and style.fmt_pct(float("nan")) == "c"
