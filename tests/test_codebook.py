"""The codebook: the table it becomes, and every structural problem with its YAML line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from evstudy.codebook import read_codebook
from evstudy.errors import InputError, ValidationError

GOOD = """\
version: "1.0"
codes:
  - id: approach
    label: Commissioning approach
    definition: How the local authority designs and commissions services.
  - id: approach.cycle
    parent: approach
    label: Structured commissioning cycle
    definition: A named cycle.
    include: Mentions of a cycle.
    exclude: One-off purchases.
    example: We follow analyse, plan, do, review.
    comb: reflective_motivation
    valence: enabler
    rq: [3, 1]
    origin: deductive
  - id: approach.cycle.review
    parent: approach.cycle
    label: Review stage
    comb: null
    valence: null
    rq: 2
    origin: inductive
  - id: barriers
    label: Barriers
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_codebook_exact_values(tmp_path):
    frame = read_codebook(write(tmp_path, GOOD))
    assert list(frame.columns) == [
        "code_id",
        "label",
        "parent_id",
        "theme_id",
        "depth",
        "definition",
        "include",
        "exclude",
        "example",
        "comb",
        "valence",
        "rq",
        "prompted",
        "origin",
        "version",
        "status",
        "merged_into",
        "changed_in",
        "reason",
    ]
    assert list(frame["prompted"]) == [(), (), (), ()]  # nothing prompted unless declared
    assert list(frame["code_id"]) == [
        "approach",
        "approach.cycle",
        "approach.cycle.review",
        "barriers",
    ]
    assert list(frame["parent_id"]) == [None, "approach", "approach.cycle", None]
    assert list(frame["theme_id"]) == ["approach", "approach", "approach", "barriers"]
    assert list(frame["depth"]) == [0, 1, 2, 0]
    assert list(frame["rq"]) == [(), ("1", "3"), ("2",), ()]
    assert list(frame["comb"]) == [None, "reflective_motivation", None, None]
    assert list(frame["valence"]) == [None, "enabler", None, None]
    assert list(frame["origin"]) == [None, "deductive", "inductive", None]
    assert set(frame["version"]) == {"1.0"}
    row = frame.iloc[1]
    assert (row["include"], row["exclude"], row["example"]) == (
        "Mentions of a cycle.",
        "One-off purchases.",
        "We follow analyse, plan, do, review.",
    )


def test_every_codebook_problem_is_reported_with_its_line(tmp_path):
    text = """\
codes:
  - id: approach
    label: Commissioning approach
  - id: approach
    label: Again
  - id: orphan
    parent: nowhere
    label: Orphan
  - id: bad values
    label: Bad
    comb: capability
    valence: neutral
    rq: [true, [1]]
    origin: emergent
    valance: barrier
  - label: No id
  - id: no_label
  - id: loop.a
    parent: loop.b
    label: A
  - id: loop.b
    parent: loop.a
    label: B
"""
    with pytest.raises(ValidationError) as excinfo:
        read_codebook(write(tmp_path, text))
    problems = excinfo.value.problems
    expected = [
        ("version", "no version"),
        ("line 4, code 'approach'", "repeats the code on line 2"),
        ("line 9, code 'bad values'", "contains spaces"),
        ("line 9, code 'bad values'", "unknown key(s): valance"),
        ("line 9, code 'bad values'", "`comb` must be one of ['physical_capability'"),
        (
            "line 9, code 'bad values'",
            "`valence` must be one of ['barrier', 'enabler'], but 'neutral'",
        ),
        ("line 9, code 'bad values'", "`origin` must be one of ['deductive', 'inductive'], but"),
        ("line 9, code 'bad values'", "rq [True, [1]] are not research-question ids"),
        ("line 16, code entry 5", "has no id"),
        ("line 17, code 'no_label'", "no label"),
        ("line 6, code 'orphan'", "the parent 'nowhere' is not a code"),
        ("line 18, code 'loop.a'", "cycle: loop.a -> loop.b -> loop.a"),
        ("line 21, code 'loop.b'", "cycle: loop.b -> loop.a -> loop.b"),
    ]
    assert len(problems) == len(expected), [str(p) for p in problems]
    for where, what in expected:
        assert any(p.where == where and what in p.problem and p.fix for p in problems), where
    assert all(p.file.endswith("codebook.yml") for p in problems)


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(InputError) as excinfo:
        read_codebook(write(tmp_path, 'version: "1"\ncodes:\n  - id: a\n    label: [unclosed\n'))
    assert excinfo.value.problem.where.startswith("line ")
    assert "not valid YAML" in excinfo.value.problem.problem


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "version: 1\ncodes: {a: b}\n"])
def test_codebook_without_codes_list(tmp_path, text):
    with pytest.raises(InputError, match="no 'codes:' list"):
        read_codebook(write(tmp_path, text))


def test_missing_and_non_utf8_codebook(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_codebook(tmp_path / "codebook.yml")
    (tmp_path / "codebook.yml").write_bytes("codes:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_codebook(tmp_path / "codebook.yml")


# --- version changes, merging, the appendix table and its Excel file -----------------

VERSIONED = """\
version: "1.1"
codes:
  - id: barrier
    label: Barriers
  - id: barrier.time
    parent: barrier
    label: Time
  - id: barrier.capacity
    parent: barrier
    label: Capacity
    status: merged
    merged_into: barrier.time
    changed_in: "1.1"
    reason: Coders could not tell them apart.
  - id: barrier.old
    parent: barrier
    label: Old
    status: retired
"""


def test_version_changes_are_read(tmp_path):
    frame = read_codebook(write(tmp_path, VERSIONED)).set_index("code_id")
    assert list(frame["status"]) == ["active", "active", "merged", "retired"]
    assert frame.loc["barrier.capacity", ["merged_into", "changed_in", "reason"]].tolist() == [
        "barrier.time",
        "1.1",
        "Coders could not tell them apart.",
    ]
    assert frame.loc["barrier.old", "merged_into"] is None


def test_every_version_change_problem_is_reported(tmp_path):
    text = """\
version: "2"
codes:
  - id: a
    label: A
  - id: a.gone
    parent: a
    label: Gone
    status: retired
  - id: a.x
    parent: a
    label: X
    status: merged
  - id: a.y
    parent: a
    label: Y
    status: merged
    merged_into: a.gone
  - id: a.z
    parent: a
    label: Z
    status: merged
    merged_into: a.nowhere
  - id: a.w
    parent: a
    label: W
    merged_into: a
  - id: a.v
    parent: a
    label: V
    status: sleeping
  - id: a.u
    parent: a
    label: U
    status: merged
    merged_into: a.y
  - id: a.t
    parent: a
    label: T
    status: merged
    merged_into: a.t
"""
    with pytest.raises(ValidationError) as excinfo:
        read_codebook(write(tmp_path, text))
    problems = [(p.where, p.problem) for p in excinfo.value.problems]
    expected = [
        ("code 'a.x'", "a merged code has no merged_into"),
        ("code 'a.y'", "merged_into 'a.gone' is a retired code"),
        ("code 'a.z'", "merged_into 'a.nowhere' is not a code"),
        ("code 'a.w'", "merged_into is set but the status is 'active'"),
        ("code 'a.v'", "`status` must be one of ['active', 'retired', 'merged'], but 'sleeping'"),
        ("code 'a.u'", "merged_into 'a.y' was itself merged into 'a.gone'"),
        ("code 'a.t'", "the code is merged into itself"),
    ]
    assert len(problems) == len(expected), problems
    for where, what in expected:
        assert any(w.endswith(where) and what in p for w, p in problems), (where, what)


def test_stale_codings_finds_retired_and_merged_codes(tmp_path):
    from evstudy.codebook import stale_codings

    book = read_codebook(write(tmp_path, VERSIONED))
    codings = pd.DataFrame(
        {
            "coding_id": ["K1", "K2", "K3"],
            "doc_id": ["D1", "D1", "D2"],
            "code_id": ["barrier.old", "barrier.time", "barrier.capacity"],
        }
    )
    stale = stale_codings(book, codings)
    assert stale.to_dict("records") == [
        {
            "coding_id": "K1",
            "doc_id": "D1",
            "code_id": "barrier.old",
            "status": "retired",
            "merged_into": None,
        },
        {
            "coding_id": "K3",
            "doc_id": "D2",
            "code_id": "barrier.capacity",
            "status": "merged",
            "merged_into": "barrier.time",
        },
    ]


def test_merge_codes_rewrites_codings_and_keeps_the_audit_trail(demo_study):
    from evstudy.codebook import code_changes, merge_codes, stale_codings

    before_codings = demo_study.codings.copy()
    before_book = demo_study.codebook.copy()
    source, into = "barrier.capacity", "enabler.time"
    n_source = int((demo_study.codings["code_id"] == source).sum())
    span = ["doc_id", "coder", "start", "end"]
    by_code = demo_study.codings.groupby("code_id")
    twins = len(by_code.get_group(source)[span].merge(by_code.get_group(into)[span]))
    assert twins == 0  # (the next test makes one)
    merged = merge_codes(demo_study, source, into=into, reason="overlap", version="1.1")
    # The input study is untouched.
    pd.testing.assert_frame_equal(demo_study.codings, before_codings)
    pd.testing.assert_frame_equal(demo_study.codebook, before_book)
    assert merged is not demo_study and merged.turns is demo_study.turns
    codings = merged.codings
    assert source not in set(codings["code_id"])
    assert (codings["merged_from"] == source).sum() == n_source - twins
    assert len(codings) == len(demo_study.codings) - twins
    row = merged.codebook.set_index("code_id").loc[source]
    assert (row["status"], row["merged_into"], row["reason"], row["changed_in"]) == (
        "merged",
        into,
        "overlap",
        "1.1",
    )
    changes = code_changes(merged)
    assert changes.to_dict("records") == [
        {
            "code_id": source,
            "status": "merged",
            "merged_into": into,
            "reason": "overlap",
            "changed_in": "1.1",
            "n_codings_rewritten": n_source - twins,
        }
    ]
    assert stale_codings(merged.codebook, merged.codings).empty
    assert len(stale_codings(merged.codebook, demo_study.codings)) == n_source
    assert code_changes(demo_study).empty
    with pytest.raises(ValueError, match="`source` must be an active code"):
        merge_codes(merged, source, into="barrier.budget", reason="again")
    with pytest.raises(ValueError, match="`into` must be an active code"):
        merge_codes(merged, "barrier.budget", into=source, reason="into a merged code")
    with pytest.raises(ValueError, match=r"`into` must be one of \["):
        merge_codes(demo_study, source, into="barrier.moon", reason="x")


def test_merge_codes_drops_spans_that_now_coincide(demo_study):
    from evstudy.codebook import merge_codes

    first = demo_study.codings.iloc[0]
    twin = first.copy()
    twin["coding_id"], twin["code_id"] = "K99999", "toolkit.wwcsc_store"
    codings = pd.concat([demo_study.codings, twin.to_frame().T], ignore_index=True)
    study = dataclasses.replace(demo_study, codings=codings.astype(demo_study.codings.dtypes))
    merged = merge_codes(study, "toolkit.wwcsc_store", into=first["code_id"], reason="same")
    assert "K99999" not in set(merged.codings["coding_id"])
    assert first["coding_id"] in set(merged.codings["coding_id"])
    # every other coding of the merged code survives, unless the target code already has a
    # coding of the same passage by the same coder (then the two coincide and one is kept)
    key = ["doc_id", "coder", "start", "end"]
    target = set(map(tuple, codings.loc[codings["code_id"] == first["code_id"], key].values))
    moved = codings[
        (codings["code_id"] == "toolkit.wwcsc_store") & (codings["coding_id"] != "K99999")
    ]
    expected = sum(tuple(row) not in target for row in moved[key].values)
    assert (merged.codings["merged_from"] == "toolkit.wwcsc_store").sum() == expected


def test_codebook_table_and_excel(demo_study, tmp_path):
    from openpyxl import load_workbook

    from evstudy.codebook import codebook_table, write_codebook_excel

    table = codebook_table(demo_study)
    assert list(table["code_id"]) == list(demo_study.codebook["code_id"])
    row = table.set_index("code_id").loc["barrier.skills"]
    assert (row["theme"], row["comb"], row["valence"]) == (
        "Barriers to evidence-based commissioning",
        "Psychological capability",
        "barrier",
    )
    cd = demo_study.codings[demo_study.codings["coder"] == "CD"]
    assert row["n_codings"] == (cd["code_id"] == "barrier.skills").sum()
    theme = table.set_index("code_id").loc["barrier"]
    assert theme["n_codings"] == cd["code_id"].str.startswith("barrier").sum()
    assert (
        theme["n_documents"] == cd.loc[cd["code_id"].str.startswith("barrier"), "doc_id"].nunique()
    )

    a = write_codebook_excel(demo_study, tmp_path / "a" / "codebook.xlsx")
    b = write_codebook_excel(demo_study, tmp_path / "b" / "codebook.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a).active
    assert ws.title == "Codebook" and ws.freeze_panes == "A2"
    assert ws["A1"].value == "Theme" and ws["A1"].font.bold
    assert ws.max_row == len(table) + 1
    assert ws["D3"].alignment.wrap_text
    assert ws.column_dimensions["D"].width == 48


def test_prompted_methods_are_read_in_a_fixed_order(tmp_path):
    text = GOOD.replace(
        "    rq: [3, 1]\n",
        "    rq: [3, 1]\n    prompted: [focus_group, interview, interview]\n",
    ).replace("    rq: 2\n", "    rq: 2\n    prompted: expert_interview\n")
    frame = read_codebook(write(tmp_path, text)).set_index("code_id")
    assert frame.at["approach.cycle", "prompted"] == ("interview", "focus_group")
    assert frame.at["approach.cycle.review", "prompted"] == ("expert_interview",)
    assert frame.at["approach", "prompted"] == ()


def test_a_prompted_method_that_does_not_exist_names_its_line(tmp_path):
    text = GOOD.replace("    rq: [3, 1]\n", "    rq: [3, 1]\n    prompted: [interview, survey]\n")
    with pytest.raises(ValidationError) as excinfo:
        read_codebook(write(tmp_path, text))
    (problem,) = excinfo.value.problems
    assert problem.where == "line 6, code 'approach.cycle'"
    assert "prompted ['survey'] are not methods" in problem.problem
    assert "'expert_interview'" in problem.fix
