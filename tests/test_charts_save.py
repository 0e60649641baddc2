"""save_figure: names by notebook and chart, byte-identical PNG and SVG on every run."""

from __future__ import annotations

import struct

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from evstudy.charts import likert_chart, save_figure
from evstudy.charts.save import default_folder, figure_name, slugify


def chart():
    """A small Likert chart: bars, text, a legend and clip paths all reach the files."""
    rows = [
        {
            "item_id": item,
            "item_label": f"Item {item}",
            "category": category,
            "position": position,
            "valence": valence,
            "n": n,
            "base": 20,
            "pct": n / 20,
        }
        for item, counts in (("a", (2, 3, 5, 6, 4)), ("b", (6, 4, 4, 4, 2)))
        for position, (category, valence, n) in enumerate(
            zip(
                ("Never", "Rarely", "Sometimes", "Often", "Always"),
                ("negative", "negative", "neutral", "positive", "positive"),
                counts,
                strict=True,
            )
        )
    ]
    fig, _ = likert_chart(pd.DataFrame(rows), title="Use of evidence")
    return fig


def png_text_keys(data: bytes) -> list[bytes]:
    """Keywords of the PNG's text chunks (tEXt, zTXt, iTXt)."""
    keys, i = [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keys.append(data[i + 8 : i + 8 + length].split(b"\0")[0])
        i += 12 + length
    return keys


def test_files_are_named_by_notebook_and_chart(tmp_path):
    fig = chart()
    paths = save_figure(fig, notebook="03 Survey.ipynb", chart="Barriers (top 5)", folder=tmp_path)
    plt.close(fig)
    assert paths == {
        "png": tmp_path / "03-survey__barriers-top-5.png",
        "svg": tmp_path / "03-survey__barriers-top-5.svg",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "03-survey__barriers-top-5.png",
        "03-survey__barriers-top-5.svg",
    ]  # and no temporary files left behind
    assert paths["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in paths["svg"].read_bytes()[:400]


def test_same_figure_gives_identical_bytes(tmp_path, monkeypatch):
    fig = chart()
    first = {
        k: p.read_bytes()
        for k, p in save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "1").items()
    }
    second = {
        k: p.read_bytes()
        for k, p in save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "2").items()
    }
    plt.close(fig)
    # A fresh figure, shown twice first (as a notebook would) and at another time of day as
    # far as matplotlib knows, gives the same bytes.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = chart()
    again.canvas.draw()
    again.canvas.draw()
    third = {
        k: p.read_bytes()
        for k, p in save_figure(again, notebook="nb", chart="c", folder=tmp_path / "3").items()
    }
    plt.close(again)
    assert first == second == third


def test_svg_holds_no_date_or_creator_and_png_no_software(tmp_path):
    fig = chart()
    paths = save_figure(fig, notebook="nb", chart="c", folder=tmp_path)
    plt.close(fig)
    svg = paths["svg"].read_text()
    assert "<dc:date>" not in svg and "<dc:creator>" not in svg
    assert "Matplotlib" not in svg
    assert png_text_keys(paths["png"].read_bytes()) == []


def test_svg_ids_do_not_depend_on_the_global_hashsalt(tmp_path):
    fig = chart()
    with matplotlib.rc_context({"svg.hashsalt": None}):
        a = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "a")["svg"].read_bytes()
    with matplotlib.rc_context({"svg.hashsalt": "something else"}):
        b = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "b")["svg"].read_bytes()
    plt.close(fig)
    assert a == b


def test_default_folder_is_evstudy_figures_or_the_projects(tmp_path, monkeypatch, root):
    monkeypatch.setenv("EVSTUDY_FIGURES", str(tmp_path / "out"))
    fig = chart()
    paths = save_figure(fig, notebook="nb", chart="c")
    plt.close(fig)
    assert paths["png"].parent == (tmp_path / "out").resolve()
    monkeypatch.delenv("EVSTUDY_FIGURES")
    monkeypatch.chdir(root / "notebooks")
    assert default_folder() == (root / "figures").resolve()


def test_names_are_slugified_and_validated():
    assert figure_name("notebooks/02_survey.ipynb", "Likert: influences") == (
        "02_survey__likert-influences"
    )
    assert slugify("  Énfasis — Café  ") == "enfasis-cafe"  # ASCII names travel everywhere
    with pytest.raises(ValueError, match="no letters or digits"):
        slugify(" — ")
    with pytest.raises(ValueError, match="must be a matplotlib Figure"):
        save_figure("not a figure", notebook="nb", chart="c")


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_saved_png_is_cropped_like_savefig_tight(tmp_path):
    import io

    from evstudy.charts.save import DPI, PAD_INCHES

    fig = chart()
    paths = save_figure(fig, notebook="nb", chart="c", folder=tmp_path)
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=DPI, bbox_inches="tight", pad_inches=PAD_INCHES)
    saved = _png_size(paths["png"].read_bytes())
    tight = _png_size(reference.getvalue())
    # One tight box for both formats: the same crop as savefig's own, to a pixel.
    assert all(abs(a - b) <= 1 for a, b in zip(saved, tight, strict=True)), (saved, tight)
    plt.close(fig)


def test_report_shows_a_saved_chart_from_its_saved_png(tmp_path):
    import base64
    import re

    from evstudy.charts.save import DPI, saved_png
    from evstudy.report import FIGURE_DPI, figure

    fig, alt = chart(), "A Likert chart of the use of evidence."
    assert saved_png(fig) is None
    drawn = figure(fig, alt).data  # not saved: drawn at the report's resolution
    save_figure(fig, notebook="nb", chart="c", folder=tmp_path)
    assert saved_png(fig) == (tmp_path / "nb__c.png").read_bytes()
    shown = figure(fig, alt).data

    def size(html):
        data = re.search(r"base64,([^\"]+)", html).group(1)
        return _png_size(base64.b64decode(data))

    width, height = _png_size(saved_png(fig))
    assert size(shown) == (round(width * FIGURE_DPI / DPI), round(height * FIGURE_DPI / DPI))
    assert size(shown) != size(drawn)  # the tight crop, scaled down, not a new drawing
    assert figure(fig, alt).data == shown  # and the same bytes every time
    plt.close(fig)


def _pixels(data: bytes):
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=int)


def test_synthetic_mark_is_in_a_corner_of_both_images(tmp_path):
    from evstudy.charts.save import SYNTHETIC_MARK

    fig = chart()
    plain = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "plain", mark=None)
    marked = save_figure(
        fig, notebook="nb", chart="c", folder=tmp_path / "mark", mark="Synthetic data"
    )
    again = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "again", mark=None)
    plt.close(fig)
    svg = marked["svg"].read_text()
    assert f"<title>{SYNTHETIC_MARK}</title>" in svg
    assert SYNTHETIC_MARK not in plain["svg"].read_text()
    # Only while saving: the figure is unchanged afterwards.
    assert again["png"].read_bytes() == plain["png"].read_bytes()
    a, b = _pixels(plain["png"].read_bytes()), _pixels(marked["png"].read_bytes())
    assert a.shape == b.shape  # the mark does not move or resize the chart
    rows, cols = (a != b).any(axis=2).nonzero()
    assert len(rows) > 50  # something was written
    height, width = a.shape[:2]
    # All of it in the bottom-right corner: within the padding strip (0.15 in = 30 px at
    # 200 dpi) at the bottom, and the right third of the width.
    assert rows.min() >= height - 30 and cols.min() >= width * 2 / 3


def test_mark_follows_the_study_loaded_last(tmp_path, demo_study, monkeypatch):
    from evstudy import study as study_module
    from evstudy.charts.save import SYNTHETIC_MARK, study_mark

    assert demo_study.synthetic
    assert study_mark(demo_study) == SYNTHETIC_MARK
    monkeypatch.setattr(study_module, "_LAST", [None])
    assert study_mark() is None
    fig = chart()
    unmarked = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "a")
    assert SYNTHETIC_MARK not in unmarked["svg"].read_text()
    monkeypatch.setattr(study_module, "_LAST", [demo_study])
    marked = save_figure(fig, notebook="nb", chart="c", folder=tmp_path / "b")
    plt.close(fig)
    assert f"<title>{SYNTHETIC_MARK}</title>" in marked["svg"].read_text()
