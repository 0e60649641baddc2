"""The report's prose: the research team's text where they wrote it, the computed draft elsewhere.

Each section of the report has a key: ``executive_summary``, ``background``, ``methods``,
``findings/<rq_id>`` (one per research question, or per theme when the study declares none),
``discussion``, ``limitations`` and ``recommendations``. :func:`section` gives the Markdown a
notebook shows for a key.

Researchers write a section in ``report/<key>.md`` in the raw folder (see
:mod:`evstudy.io.report_text`). The text is Markdown with placeholders, rendered by Jinja2 in
a sandbox against the study's computed values (:mod:`evstudy.prose.namespace`):

- ``{{ survey.barriers.top[1].label }}`` fills in a value; an unknown name, or a rank that
  is a tie, stops the build naming the file and line;
- ``{% expect survey.barriers.top[1].code == "barrier.time" %}`` states what the text
  assumes; when the data no longer bear it out, the build stops at that file and line;
- ``{{ quote("<code id>") }}`` is the only way a participant's words enter the text: the
  quote and its attribution come from :func:`evstudy.coding.quotes`;
- a count of people from 1 to the study's ``suppress_max`` renders in words, "fewer than 6"
  (never as a number), and a share of such a count as "a small share".

A section the team has not written is the computed draft, marked with :data:`DRAFT_NOTE`.
:func:`draft_sections` lists them, :func:`is_final_ready` says whether the report may be
published as final (``evstudy build --final`` refuses otherwise), and
:func:`placeholders` lists every placeholder with its value, for the provenance appendix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evstudy.errors import EvstudyError, InputError, Problems

if TYPE_CHECKING:
    import pandas as pd

    from evstudy.study import Study

__all__ = [
    "DRAFT_NOTE",
    "TOP_LEVEL",
    "Placeholder",
    "check_text",
    "draft_sections",
    "final_problems",
    "is_final_ready",
    "placeholders",
    "render_text",
    "section",
    "section_keys",
]

# Shown above computed text, so that nobody mistakes it for the research team's reading.
DRAFT_NOTE = (
    '<p class="draft-note"><strong>Draft.</strong> This section is computed from the data; '
    "the research team has not yet written it.</p>"
)

NAMESPACE_HELP = "see evstudy.prose.namespace (the names a section may use) and the README"
# What a quote() placeholder keeps: whole thoughts, not a paragraph.
QUOTE_WORDS = (8, 60)


@dataclass(frozen=True)
class Placeholder:
    """One placeholder as rendered: where it is, what it says and what it gave."""

    key: str
    file: str
    line: int
    expression: str
    value: str


@dataclass
class _Rendering:
    """What one rendering found: the placeholders, in order."""

    file: str
    key: str
    expressions: list[tuple[str, int]] = field(default_factory=list)
    found: list[Placeholder] = field(default_factory=list)


def section_keys(study: Study) -> list[str]:
    """The study's section keys, in the report's order."""
    from evstudy.io.report_text import section_keys as keys
    from evstudy.sections import research_questions

    return keys([str(rq) for rq in research_questions(study)["rq_id"]])


def _texts(study: Study) -> dict[str, tuple[str, str]]:
    """key -> (file, text) of the sections the research team wrote."""
    frame = getattr(study, "report_text", None)
    if frame is None or not len(frame):
        return {}
    return {str(r.key): (str(r.file), str(r.text)) for r in frame.itertuples(index=False)}


def section(study: Study, key: str, *, draft: str) -> str:
    """The Markdown for one section of the report.

    Parameters
    ----------
    study : Study
    key : str
        The section's key (see the module's docstring).
    draft : str
        The computed text, used, marked as a draft, when the research team wrote none.

    Returns
    -------
    str
        Markdown: the research team's text with its placeholders filled in, or the draft
        marked with :data:`DRAFT_NOTE`.

    Raises
    ------
    ValueError
        If ``key`` is not one of the study's sections.
    InputError
        Naming the file and line of an unknown placeholder, a tie at a requested rank, or an
        ``{% expect %}`` the data do not bear out.
    """
    keys = section_keys(study)
    if key not in keys:
        raise ValueError(f"`key` must be one of {keys}, but {key!r} was passed")
    written = _texts(study).get(key)
    if written is None:
        return DRAFT_NOTE + "\n\n" + draft
    file, text = written
    return render_text(study, text, file=file, key=key)


def draft_sections(study: Study) -> list[str]:
    """The section keys the research team has not written (shown as computed drafts)."""
    written = _texts(study)
    return [k for k in section_keys(study) if k not in written]


def final_problems(study: Study, *, report_folder: str = "report") -> Problems:
    """Why the report cannot be published as final: every draft section and every place a
    word that may be a name waits for a decision. Empty when it can.

    Parameters
    ----------
    study : Study
    report_folder : str, default "report"
        Where the study's section texts live, relative to its raw folder (study.yml
        ``files: report_text``), for the messages.
    """
    found = Problems()
    for key in draft_sections(study):
        found.add(
            f"{report_folder}/{key}.md",
            "",
            f"the section {key!r} has no text from the research team, so the report would "
            "show the computed draft",
            f"write {report_folder}/{key}.md in the raw folder (Markdown; placeholders "
            "such as {{ sample.interviews }} give the numbers), or build without --final",
        )
    for place in study.ingest_report.get("undecided_names") or []:
        found.add(
            "name_decisions.csv",
            "",
            f"a word that may be a name has no decision ({place})",
            "decide it (keep or redact) in name_decisions.csv, as name_review.csv beside the "
            "identity key lists it",
        )
    return found


def is_final_ready(study: Study) -> bool:
    """True when no section is a draft and no name is undecided: the report may say final.

    A report built without ``--final`` is a draft; the title page can show this flag.
    """
    return not final_problems(study)


# -- rendering --------------------------------------------------------------------------------

# A placeholder: {{ expression }} with optional whitespace control.
_OUTPUT = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)
_BLOCK = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_VALUE = "_evstudy_value"


# A line that holds nothing but {% %} tags (an expect, an if, a set).
_TAGS_ONLY = re.compile(r"^[ \t]*(?:\{%(?:(?!%\}).)*%\}[ \t]*)+\n", re.MULTILINE)


def _instrument(text: str, rendering: _Rendering) -> str:
    """Every ``{{ expr }}`` wrapped so that its value is recorded and formatted, on the same
    line (so Jinja's line numbers stay the file's); and a line of tags only made to leave
    nothing behind: its line break goes into a Jinja comment, which Jinja counts as a line
    but does not print."""
    text = _TAGS_ONLY.sub(lambda m: m.group(0)[:-1] + "{#\n#}", text)
    out, pos = [], 0
    blocks = [(m.start(), m.end()) for m in _BLOCK.finditer(text)]
    for match in _OUTPUT.finditer(text):
        if any(a <= match.start() < b for a, b in blocks):
            continue
        left, expr, right = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        rendering.expressions.append((" ".join(expr.split()), line))
        index = len(rendering.expressions) - 1
        out += [text[pos : match.start()], f"{{{{{left} {_VALUE}({index}, ({expr})) {right}}}}}"]
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


# The words for the share of a count of people too small to publish.
SMALL_SHARE = "a small share"


def _format(value: Any, suppress_max: int) -> str:
    """A value as prose shows it (see :mod:`evstudy.prose.namespace`)."""
    from evstudy.narrative import listing, small
    from evstudy.prose.namespace import Count, Share

    # Prose never gives a suppressed count of people as a number, nor its share: it says
    # "fewer than 6" (the words the methods give for a suppressed cell) and "a small share".
    if isinstance(value, Count):
        return small(int(value), suppress_max=suppress_max) if value.people else f"{int(value):,}"
    if isinstance(value, Share):
        n = value.n
        if isinstance(n, Count) and n.people and 1 <= int(n) <= suppress_max:
            return SMALL_SHARE
        return f"{round(float(value) * 100):.0f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return listing([str(v) for v in value])
    return "" if value is None else str(value)


class _Failure(EvstudyError):
    """A rendering problem with its template line (Jinja's own, or the placeholder's)."""

    def __init__(self, problem: str, fix: str, line: int | None = None) -> None:
        self.problem, self.fix, self.line = problem, fix, line
        super().__init__(problem)


def _sandbox() -> Any:
    """The sandboxed Jinja environment researchers' text is parsed and rendered in."""
    from jinja2 import StrictUndefined, nodes
    from jinja2.ext import Extension
    from jinja2.sandbox import SandboxedEnvironment

    class Expect(Extension):
        """``{% expect <expression> %}``: the build stops, naming the line, when it is false."""

        tags = frozenset({"expect"})

        def parse(self, parser: Any) -> Any:
            lineno = next(parser.stream).lineno
            expr = parser.parse_expression()
            call = self.call_method("_check", [expr, nodes.Const(lineno)], lineno=lineno)
            return nodes.Output([call], lineno=lineno)

        def _check(self, value: Any, lineno: int) -> str:
            if not value:
                raise _Failure(
                    "an expect is false: the data no longer bear out what the text says",
                    "read the section against the report's numbers and rewrite the sentences "
                    "this line guards (and the expect with them)",
                    lineno,
                )
            return ""

    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        extensions=[Expect],
        autoescape=False,
        keep_trailing_newline=True,
        lstrip_blocks=True,
    )
    env.filters["midsentence"] = _midsentence
    env.filters["ordinal"] = _ordinal
    return env


# The names a section may use at its top level (evstudy.prose.namespace, and quote()).
TOP_LEVEL = ("study", "sample", "survey", "codes", "convergence", "reliability", "saturation")


def check_text(text: str, *, file: str) -> list[tuple[str, str, str]]:
    """What can be checked in a section's text without the data: its syntax, and that every
    name it uses at the top level exists. Ingest and ``evstudy check`` run it.

    Returns
    -------
    list of (where, problem, fix)
        Empty when the text is sound so far; placeholders are fully checked when the report
        is built.
    """
    from jinja2 import TemplateSyntaxError, meta, nodes

    env = _sandbox()
    try:
        parsed = env.parse(_instrument(text, _Rendering(file=file, key="")))
    except TemplateSyntaxError as exc:
        return [
            (
                f"line {exc.lineno}",
                f"the placeholder syntax is wrong: {exc.message}",
                NAMESPACE_HELP,
            )
        ]
    known = {*TOP_LEVEL, "quote", _VALUE}
    unknown = sorted(meta.find_undeclared_variables(parsed) - known)
    found = []
    lines: dict[str, int] = {}
    for node in parsed.find_all(nodes.Name):
        if node.ctx == "load" and node.name in unknown:
            lines[node.name] = min(lines.get(node.name, node.lineno), node.lineno)
    for name in unknown:
        line = lines.get(name)
        found.append(
            (
                f"line {line}" if line else "",
                f"unknown placeholder: there is no value called {name!r}",
                f"use one of {', '.join(TOP_LEVEL)} or quote(); {NAMESPACE_HELP}",
            )
        )
    return found


def _environment(study: Study, rendering: _Rendering) -> Any:
    env = _sandbox()
    suppress_max = int(study.disclosure["suppress_max"])

    def value(index: int, found: Any) -> str:
        expression, line = rendering.expressions[index]
        shown = _format(found, suppress_max)
        rendering.found.append(Placeholder(rendering.key, rendering.file, line, expression, shown))
        return shown

    env.globals.update(_namespace(study))
    env.globals[_VALUE] = value
    env.globals["quote"] = lambda code, **kw: _quote(study, code, **kw)
    return env


def _midsentence(value: Any) -> str:
    """A label as it reads mid-sentence ("Peer networks" -> "peer networks"; proper names
    such as "NICE guidelines" stay as they are)."""
    from evstudy.narrative import listing, midsentence

    if isinstance(value, (list, tuple)):
        return listing([midsentence(str(v)) for v in value])
    return midsentence(str(value))


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def _ordinal(value: Any) -> str:
    """1 -> "first", ..., 9 -> "ninth", then "10th", "11th", "22nd"."""
    n = int(value)
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _namespace(study: Study) -> dict[str, Any]:
    from evstudy.prose.namespace import namespace

    space = namespace(study)
    return {name: _LazyName(space, name) for name in space}


class _LazyName:
    """A top-level name, computed when a placeholder first reaches into it."""

    def __init__(self, space: Any, name: str) -> None:
        self._space, self._name = space, name

    def _target(self) -> Any:
        return self._space[self._name]

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self._target(), attr)

    def __getitem__(self, key: Any) -> Any:
        return self._target()[key]

    def __iter__(self) -> Any:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def __str__(self) -> str:
        return str(self._target())


def _quote(
    study: Study,
    code: str,
    *,
    site: str | None = None,
    role_group: str | None = None,
    method: str | None = None,
    which: int = 1,
) -> str:
    """The ``which``-th publishable quote coded ``code``, with its computed attribution."""
    from evstudy.coding import quotes

    try:
        found = quotes(study, code=code, site=site, role_group=role_group, method=method)
    except ValueError as exc:
        raise _Failure(
            f"quote({code!r}): {exc}", "name a code, site, role group or method the study has"
        ) from None
    found = found[found["attribution"].notna()]
    found = found.drop_duplicates("text")
    words = found["text"].str.split().str.len()
    fitting = found[words.between(*QUOTE_WORDS)]
    pool = fitting if len(fitting) else found
    if isinstance(which, bool) or not isinstance(which, int) or not 1 <= which <= len(pool):
        raise _Failure(
            f"quote({code!r}, which={which!r}): there are {len(pool)} publishable quotes "
            "for it" + (" with these filters" if site or role_group or method else ""),
            f"ask for which=1 to {len(pool)}"
            if len(pool)
            else "choose another code, or widen the filters",
        )
    row = pool.iloc[which - 1]
    text = " ".join(str(row["text"]).split())
    return f"“{text}” ({row['attribution']})"


def _line_of(exc: BaseException, name: str) -> int | None:
    """The template line Jinja's traceback gives for ``exc`` (its frames carry the file)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _render(study: Study, text: str, *, file: str, key: str) -> tuple[str, list[Placeholder]]:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.loaders import FunctionLoader

    from evstudy.prose.namespace import NamespaceError

    rendering = _Rendering(file=file, key=key)
    source = _instrument(text, rendering)
    env = _environment(study, rendering)
    env.loader = FunctionLoader(lambda name: (source, name, lambda: True))

    def fail(line: int | None, problem: str, fix: str) -> InputError:
        return InputError(file, f"line {line}" if line else "", problem, fix)

    try:
        template = env.get_template(file)
        rendered = template.render()
    except TemplateSyntaxError as exc:
        raise fail(
            exc.lineno, f"the placeholder syntax is wrong: {exc.message}", NAMESPACE_HELP
        ) from None
    except UndefinedError as exc:
        line = _line_of(exc, file)
        what = re.sub(
            r"'[\w.]+ object' has no attribute", "there is nothing called", exc.message or ""
        )
        shown = text.splitlines()[line - 1].strip() if line else ""
        raise fail(
            line,
            f"unknown placeholder: {what}" + (f", in `{shown}`" if shown else ""),
            f"correct the name (a section that may be missing is tested with `is defined`); "
            f"{NAMESPACE_HELP}",
        ) from None
    except _Failure as exc:
        raise fail(exc.line or _line_of(exc, file), exc.problem, exc.fix) from None
    except NamespaceError as exc:
        raise fail(_line_of(exc, file), exc.problem, exc.fix) from None
    except EvstudyError:
        raise
    except Exception as exc:  # a Python error inside an expression: still the file's fault
        raise fail(
            _line_of(exc, file),
            f"the placeholder cannot be worked out ({type(exc).__name__}: {exc})",
            NAMESPACE_HELP,
        ) from None
    return rendered, rendering.found


def render_text(study: Study, text: str, *, file: str, key: str = "") -> str:
    """Render researchers' Markdown against the study's computed values.

    Parameters
    ----------
    study : Study
    text : str
        Markdown with placeholders.
    file : str
        Where the text comes from (``report/...``), for errors.
    key : str, optional
        The section's key, for the provenance table.

    Returns
    -------
    str
        The Markdown with every placeholder filled in and every expect checked.

    Raises
    ------
    InputError
        Naming ``file`` and the line.
    """
    return _render(study, text, file=file, key=key)[0]


def placeholders(study: Study) -> pd.DataFrame:
    """Every placeholder of the research team's text, with the value it rendered.

    Returns
    -------
    DataFrame
        section, file, line, placeholder, value: in the report's section order, then by
        line. Empty (with these columns) when the team wrote nothing.
    """
    import pandas as pd

    texts = _texts(study)
    rows: list[Placeholder] = []
    for key in section_keys(study):
        if key in texts:
            file, text = texts[key]
            rows += _render(study, text, file=file, key=key)[1]
    return pd.DataFrame(
        [(p.key, p.file, p.line, p.expression, p.value) for p in rows],
        columns=["section", "file", "line", "placeholder", "value"],
    )
