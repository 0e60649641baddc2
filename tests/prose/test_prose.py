"""evstudy.prose: the research team's text rendered against the computed values."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from evstudy import prose
from evstudy.errors import InputError, ValidationError
from evstudy.prose import DRAFT_NOTE, render_text, section

FILE = "report/discussion.md"


def render(study, text: str) -> str:
    return render_text(study, text, file=FILE, key="discussion")


def fails(study, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        render(study, text)
    assert "Traceback" not in str(caught.value)
    return caught.value


def choices(truth: dict, question: str) -> dict[str, int]:
    return truth[f"{question[:-1]}_counts"]["survey_choices"]


def test_placeholders_render_the_computed_values(demo_study, demo_truth):
    counts = choices(demo_truth, "barriers")
    top = max(counts, key=counts.get)
    text = (
        "The survey's first barrier is {{ survey.barriers.top[1].code }}, "
        "chosen by {{ survey.barriers.top[1].n }} of {{ survey.barriers.base }} "
        "({{ survey.barriers.top[1].pct }}) in {{ sample.sites }} sites."
    )
    complete = demo_study.survey_respondents["status"].eq("complete")
    answered = set(demo_study.survey_answers.query("question_id == 'barriers'")["respondent_id"])
    base = len(answered | set(demo_study.survey_respondents.loc[complete, "respondent_id"]))
    pct = round(100 * counts[top] / base)
    assert render(demo_study, text) == (
        f"The survey's first barrier is {top}, chosen by {counts[top]} of {base} ({pct}%) "
        f"in {len(demo_study.sites)} sites."
    )


def test_an_unknown_placeholder_names_the_file_and_line(demo_study):
    error = fails(demo_study, "First line.\n\nThe {{ survey.barriers.topp[1].label }} here.")
    assert (error.problem.file, error.problem.where) == (FILE, "line 3")
    assert "unknown placeholder" in error.problem.problem and "topp" in error.problem.problem
    assert "evstudy.prose.namespace" in error.problem.fix
    error = fails(demo_study, 'One.\n{{ codes["no.such.code"].label }}')
    assert error.problem.where == "line 2"


def test_a_syntax_error_names_the_line(demo_study):
    error = fails(demo_study, "One.\nTwo.\n{{ sample.sites ")
    assert error.problem.where == "line 3"
    assert "syntax" in error.problem.problem


def test_a_tie_at_a_requested_rank_names_the_line_and_the_tied_options(demo_study, demo_truth):
    counts = sorted(choices(demo_truth, "barriers").values(), reverse=True)
    # The first rank (1-based) whose count another option shares.
    rank = next(i for i in range(1, len(counts) + 1) if counts.count(counts[i - 1]) > 1)
    error = fails(demo_study, f"One.\nThe {{{{ survey.barriers.top[{rank}].label }}}} one.")
    assert (error.problem.file, error.problem.where) == (FILE, "line 2")
    assert f"top[{rank}] is a tie" in error.problem.problem
    assert f"chosen by {counts[rank - 1]} of" in error.problem.problem
    # Rank 1 is planted with a clear margin: no tie.
    assert render(demo_study, "{{ survey.barriers.top[1].n }}") == str(counts[0])


def test_rankings_are_one_based_and_bounded(demo_study):
    error = fails(demo_study, "{{ survey.barriers.top[0].label }}")
    assert "ranked from 1" in error.problem.problem and error.problem.where == "line 1"
    n = len(demo_study.survey_options.query("question_id == 'barriers'"))
    assert f"has {n} options" in fails(demo_study, "{{ survey.barriers.top[99] }}").problem.problem


def test_a_false_expect_names_the_file_and_line(demo_study):
    text = "One.\n{% expect sample.sites > 0 %}\nTwo.\n{% expect survey.barriers.base > 100000 %}\n"
    error = fails(demo_study, text)
    assert (error.problem.file, error.problem.where) == (FILE, "line 4")
    assert "expect is false" in error.problem.problem
    # A true expect prints nothing, and its line leaves no blank line behind.
    assert render(demo_study, "One.\n{% expect sample.sites > 0 %}\nTwo.") == "One.\nTwo."


def test_a_small_count_of_people_and_its_share_render_in_words_never_as_numbers(
    demo_study, demo_truth
):
    counts = choices(demo_truth, "enablers")
    limit = demo_study.disclosure["suppress_max"]
    small = next(code for code, n in counts.items() if 1 <= n <= limit)
    large = next(code for code, n in counts.items() if n > limit)
    one, other = f'survey.enablers.code["{small}"]', f'survey.enablers.code["{large}"]'
    text = f"{{{{ {one}.n }}}} {{{{ {one}.pct }}}} {{{{ {other}.n }}}}"
    assert render(demo_study, text) == f"fewer than {limit + 1} a small share {counts[large]}"
    # The value itself stays a number, for expects.
    assert (
        render(demo_study, f'{{% expect survey.enablers.code["{small}"].n == {counts[small]} %}}ok')
        == "ok"
    )


def test_arithmetic_on_a_count_of_people_is_still_suppressed(demo_study, demo_truth):
    counts = choices(demo_truth, "enablers")
    limit = demo_study.disclosure["suppress_max"]
    large = max(counts, key=counts.get)
    small = next(code for code, n in counts.items() if 1 <= n <= limit)
    big, tiny = f'survey.enablers.code["{large}"].n', f'survey.enablers.code["{small}"].n'
    # Subtracting a published count from another must not reveal a small one.
    text = f"{{{{ {tiny} + 0 }}}} {{{{ {big} - ({big} - {tiny}) }}}} {{{{ {big} + 1 }}}}"
    assert (
        render(demo_study, text)
        == f"fewer than {limit + 1} fewer than {limit + 1} {counts[large] + 1}"
    )


def test_quote_gives_a_quote_with_its_computed_attribution(demo_study):
    from evstudy.coding import quotes

    rendered = render(demo_study, '> {{ quote("barrier.culture", method="interview") }}')
    found = quotes(demo_study, code="barrier.culture", method="interview")
    found = found[found["attribution"].notna()].drop_duplicates("text")
    words = found["text"].str.split().str.len()
    first = found[words.between(*prose.QUOTE_WORDS)].iloc[0]
    assert rendered == f"> “{' '.join(first['text'].split())}” ({first['attribution']})"
    assert not re.search(r"\bP\d{3}\b", rendered), "a pseudonym in a quote's attribution"
    error = fails(demo_study, 'x\n{{ quote("barrier.culture", which=10000) }}')
    assert error.problem.where == "line 2" and "publishable quotes" in error.problem.problem


def test_the_sandbox_refuses_python_internals(demo_study):
    error = fails(demo_study, "{{ sample.__class__.__mro__ }}")
    assert error.problem.where == "line 1"


def test_a_section_without_text_is_the_marked_draft(demo_study):
    from dataclasses import replace

    bare = replace(demo_study, report_text=demo_study.report_text.iloc[0:0])
    assert section(bare, "discussion", draft="Computed.") == DRAFT_NOTE + "\n\nComputed."
    assert prose.draft_sections(bare) == prose.section_keys(bare)
    assert not prose.is_final_ready(bare)
    problems = list(prose.final_problems(bare))
    assert [p.file for p in problems] == [f"report/{k}.md" for k in prose.section_keys(bare)]
    with pytest.raises(ValueError, match="`key` must be one of"):
        section(bare, "conclusion", draft="")


def test_the_demo_text_renders_with_every_expect_true(demo_study):
    assert prose.draft_sections(demo_study) == []
    assert prose.is_final_ready(demo_study)
    for key in prose.section_keys(demo_study):
        text = section(demo_study, key, draft="unused")
        assert "draft-note" not in text and "{{" not in text and "{%" not in text, key
        # A numbered list's "1. " is not a sentence.
        opens = re.search(r"(^|[.!?]\s+)\d(?!\d*\.\s)", text)
        assert not opens, f"{key}: a sentence opens with a numeral"


def test_the_generated_text_of_another_seed_and_size_renders(small_study: Path, tmp_path: Path):
    from evstudy.ingest import ingest
    from evstudy.study import load_study

    ingest(small_study, tmp_path / "processed", key_dir=tmp_path / "keys")
    study = load_study(tmp_path / "processed")
    assert prose.draft_sections(study) == []
    for key in prose.section_keys(study):
        assert "{{" not in section(study, key, draft="unused")


def test_the_provenance_table_lists_every_placeholder(demo_study):
    from evstudy.provenance import placeholder_table

    table = placeholder_table(demo_study)
    assert list(table.columns) == ["section", "placeholder", "value", "where"]
    texts = dict(zip(demo_study.report_text["key"], demo_study.report_text["text"], strict=True))
    written = sum(len(re.findall(r"\{\{.*?\}\}", t, re.DOTALL)) for t in texts.values())
    # Every placeholder once (a placeholder inside an {% if %} not taken is not rendered).
    assert 0 < len(table) <= written
    row = table[table["placeholder"] == "sample.sites"].iloc[0]
    assert row["value"] == str(len(demo_study.sites))
    file, line = row["where"].rsplit(":", 1)
    assert "{{ sample.sites }}" in (texts[row["section"]].splitlines()[int(line) - 1])
    assert file == f"report/{row['section']}.md"


def test_build_final_refuses_every_draft_section(study_copy: Path, tmp_path: Path):
    from evstudy.build.pipeline import _refuse_drafts
    from evstudy.ingest import ingest

    (study_copy / "report" / "discussion.md").unlink()
    (study_copy / "report" / "findings" / "2.md").unlink()
    ingest(study_copy, tmp_path / "processed", key_dir=tmp_path / "keys")
    with pytest.raises(ValidationError) as caught:
        _refuse_drafts(study_copy, tmp_path / "processed")
    assert [p.file for p in caught.value.problems] == [
        "report/findings/2.md",
        "report/discussion.md",
    ]
    assert "--final" in str(caught.value) and "nothing was published" in str(caught.value)


@pytest.mark.slow
def test_cli_build_final_refuses_drafts_and_publishes_nothing(
    study_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture
):
    from evstudy.cli import main

    shutil.rmtree(study_copy / "report")
    reports = tmp_path / "reports"
    args = ["build", "--raw", str(study_copy), "--out", str(tmp_path / "processed")]
    args += ["--reports", str(reports), "--figures", str(tmp_path / "figures"), "--final"]
    assert main(args) == 2
    said = capsys.readouterr().err
    assert "the --final check (nothing was published) found 11 problems" in said
    assert "report/executive_summary.md" in said and "report/findings/1.md" in said
    assert not (reports / "index.html").exists()


def test_an_edit_to_the_text_changes_the_notebooks_digest(study_copy: Path, tmp_path: Path):
    from evstudy.build.cache import shared_digest
    from evstudy.ingest import ingest

    processed = tmp_path / "processed"

    def digest() -> str:
        ingest(study_copy, processed, key_dir=tmp_path / "keys")
        lock = tmp_path / "requirements.lock"
        return shared_digest(inputs=[processed], source_root=tmp_path, lock=lock)["inputs"]

    first = digest()
    assert digest() == first, "an unchanged study must not re-run its notebooks"
    path = study_copy / "report" / "discussion.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert digest() != first
