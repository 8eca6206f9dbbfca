"""Button labels that must be shortened are never cut inside a bracketed part (/share)."""

from __future__ import annotations

from bot.keyboards import LABEL_LIMIT, shorten


def _balanced(label: str) -> bool:
    return label.count("(") == label.count(")")


def test_short_labels_are_untouched() -> None:
    assert shorten("#3 Pulse survey (closed 2 Mar 2026)") == "#3 Pulse survey (closed 2 Mar 2026)"


def test_words_before_the_brackets_go_first() -> None:
    label = "#12 Partner feedback pulse survey for the whole region (closed 2 Mar 2026)"
    short = shorten(label)
    assert len(short) <= LABEL_LIMIT and _balanced(short)
    assert short.endswith("(closed 2 Mar 2026)") and "…" in short


def test_a_bracket_in_the_title_is_kept_whole_or_dropped() -> None:
    label = "#7 Pulse survey (Mar 2026 round, all partners in the region) (closed 2 Mar 2026)"
    short = shorten(label)
    assert len(short) <= LABEL_LIMIT and _balanced(short), short
    assert "(Mar 2026…" not in short and "(closed 2 Mar 2026)" in short


def test_no_brackets_cut_at_a_word() -> None:
    short = shorten("word " * 30)
    assert len(short) <= LABEL_LIMIT and short.endswith("word…")
