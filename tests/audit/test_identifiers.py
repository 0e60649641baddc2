"""The audit's identifiers: the report's declared authors are let through."""

from __future__ import annotations

from evstudy.audit.identifiers import build_identifiers


def found(text: str, *, authors: list[str] | None = None) -> list[str]:
    register = [{"name": "Jo Bloggs", "email": "jo@example.org", "phone": None, "row": 2}]
    identifiers = build_identifiers(
        register, ["Sam Other"], register_file="register.xlsx", other_file="other_names.txt"
    )
    identifiers.allow(authors or [])
    return [kind for kind, _, _ in identifiers.find(text)]


def test_a_declared_author_is_not_a_leak():
    text = "Report by Jo Bloggs and Sam  Other."
    assert found(text) == ["register_name", "other_name"]
    assert found(text, authors=["Jo Bloggs", "Sam Other"]) == []
    # Any case or spacing of the declared name; accents folded.
    assert found("by JO   BLOGGS", authors=["Jo Bloggs"]) == []
    assert found("by Jö Bloggs", authors=["Jo Bloggs"]) == []


def test_only_the_declared_name_as_written_is_let_through():
    # The surname with a title, or the email, is still found.
    assert found("Ms Bloggs said so.", authors=["Jo Bloggs"]) == ["register_name"]
    assert found("Write to jo@example.org", authors=["Jo Bloggs"]) == ["register_email"]
    # Another person's name beside the author's is still found.
    assert found("Jo Bloggs and Sam Other", authors=["Jo Bloggs"]) == ["other_name"]
