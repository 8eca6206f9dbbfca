"""Charts on a phone: at 1080 px wide no text under 24 px, labels wrapped between words (never
cut), shares on a % axis, n shown, and an organisation's name never split — also in Arabic.

The font check measures what matplotlib actually draws: every visible text object of the
drawn figure (``bot.charts.drawn_texts``), and for the finished PNGs the smallest size the
renderer wrote into the file's metadata.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from bot import charts
from bot.charts import MIN_FONT_PX, NBSP, Series, drawn_texts, wrap_lines
from bot.reports import chart as summary_charts
from bot.reports.chart import Bar, Panel, bar_panels, bar_panels_figure
from bot.reports.summary_view import View
from conversations import load_all
from storage.summary_figures import Bucket, QuestionFigures, Summary

LONG_NAME_AR = "شبكة قيادات النساء اللاجئات في مخيم كاكوما للتنمية المجتمعية"
LONG_NAME_EN = "Women's Refugee Leadership Network of Kakuma and Kalobeyei"


def summary() -> Summary:
    return Summary(
        "partner_feedback",
        recipients=12,
        started=9,
        completed=8,
        respondents=9,
        organisations=5,
        left_out=0,
        threshold=3,
        suppressed=None,
        questions=[
            QuestionFigures(
                "satisfaction",
                "scale",
                answered=8,
                people=8,
                mean=3.6,
                median=4,
                distribution=[Bucket(2, 2, 2), Bucket(4, 4, 4), Bucket(5, 5, 2)],
            ),
            QuestionFigures("communication", "scale", answered=7, people=7, mean=4.1, median=4),
            QuestionFigures(
                "consulted",
                "choice",
                answered=8,
                people=8,
                choices={"always": 1, "often": 3, "sometimes": 2, "rarely": 2},
            ),
        ],
    )


def panels(lang: str) -> list[Panel]:
    return View(load_all()["partner_feedback"], lang).panels(summary())


def texts(figure) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.text.replace(NBSP, " ") for d in drawn_texts(figure)]


def metadata(png: bytes) -> tuple[int, dict, str]:
    image = Image.open(io.BytesIO(png))
    return image.width, json.loads(image.info["partnerbot"]), image.info.get("Description", "")


# ------------------------------------------------------------------------------ font size


@pytest.mark.parametrize("lang", ["en", "fr", "ar", "sw"])
def test_no_text_under_24_px_in_a_1080_px_summary_chart(lang: str) -> None:
    title = View(load_all()["partner_feedback"], lang).title
    figure = bar_panels_figure(title, "Q1 2026", panels(lang), lang)
    drawn = drawn_texts(figure)
    assert len(drawn) > 15  # titles, labels, numbers, ticks: all measured
    assert round(figure.get_figwidth() * figure.dpi) == 1080
    assert min(d.px for d in drawn) >= MIN_FONT_PX == 24
    width, meta, _ = metadata(bar_panels(title, "Q1 2026", panels(lang), lang))
    assert width == 1080 and meta["min_font_px"] >= 24


def test_the_font_check_fails_on_small_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_charts, "TICK_PX", 18)
    figure = bar_panels_figure("Partnership pulse", "", panels("en"), "en")
    small = [d for d in drawn_texts(figure) if d.px < MIN_FONT_PX]
    assert small and {d.text for d in small} >= {"0%", "100%"}


def line_pngs(lang: str) -> list[bytes]:
    quarters = ["Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026"]
    scores = [
        Series("Overall, how satisfied are you with our partnership?", [3.2, 3.5, None, 3.9]),
        Series("How good is our communication with you, both how clear?", [2.8, 3.1, 3.4, 3.6]),
    ]
    return [
        charts.trend_chart(quarters, scores, title="Pulse", value_label="Score", lang=lang),
        charts.line_panels(quarters, scores, title="Pulse · Average by quarter", lang=lang),
        charts.jpat_comparison_chart(
            ["Shared ownership and voice", "Trust and transparency"],
            [3.5, 4.0],
            [2.5, None],
            side_labels=("NGO side", "Partner side"),
            title="J-PAT: both sides",
            value_label="Average score",
            lang=lang,
        ),
    ]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_trend_and_jpat_charts_are_1080_px_with_no_text_under_24_px(lang: str) -> None:
    for png in line_pngs(lang):
        width, meta, words = metadata(png)
        assert width == 1080
        assert meta["min_font_px"] >= MIN_FONT_PX
        assert "Q1 2026" in words or "Trust and" in words


def test_the_line_chart_check_fails_on_small_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "SMALL", 9)
    for png in line_pngs("en"):
        assert metadata(png)[1]["min_font_px"] < MIN_FONT_PX


# ------------------------------------------------------------------------------ wrapping


def test_wrapping_breaks_between_words_only() -> None:
    text = "Do you get credit and visibility for your work, for example in reports, events and social media? Supercalifragilisticexpialidocious"
    lines = wrap_lines(text, len, 20)
    assert len(lines) > 4
    assert all(len(line) <= 20 for line in lines[:-1])
    assert " ".join(lines) == text  # nothing cut, nothing added
    assert lines[-1] == "Supercalifragilisticexpialidocious"  # too long: its own line, whole
    assert charts.wrapped(text, "en", 20).replace("\n", " ") == text


def test_a_long_label_wraps_in_the_chart_instead_of_being_cut() -> None:
    label = "Do you get credit and visibility for your work, for example in reports, events and social media?"
    survey = load_all()["partner_feedback"]
    figures = QuestionFigures("credit", "scale", answered=6, people=6, mean=2.5, median=3)
    [panel] = View(survey, "en").panels(
        Summary("partner_feedback", 9, 8, 8, 8, 4, 0, 3, None, [figures])
    )
    assert panel.bars[0].label == label  # the view no longer shortens it
    lines = [t for t in texts(bar_panels_figure("T", "", [panel], "en")) if t in label]
    assert len(lines) >= 2 and " ".join(lines) == label
    assert not any("…" in t for t in texts(bar_panels_figure("T", "", [panel], "en")))


# ------------------------------------------------------------------------------ % and n


@pytest.mark.parametrize(("lang", "tick"), [("en", "40%"), ("fr", "40\u00a0%"), ("ar", "40%")])
def test_shares_have_a_percent_axis_in_the_readers_locale(lang: str, tick: str) -> None:
    drawn = texts(bar_panels_figure("T", "", panels(lang), lang))
    assert tick.replace(NBSP, " ") in drawn
    assert "100%".replace("%", tick[2:]).replace(NBSP, " ") in drawn
    # The average-score panel keeps plain numbers on its axis.
    assert "5" in drawn and "5%" not in drawn


def test_n_is_shown_for_each_panel_and_each_average() -> None:
    drawn = texts(bar_panels_figure("T", "", panels("en"), "en"))
    assert "n = 8" in drawn  # the consulted panel: eight people answered
    assert "3.6 (n = 8)" in drawn and "4.1 (n = 7)" in drawn  # one per scale question
    assert "38%" in drawn  # shares keep their own number


def test_each_side_of_a_jpat_bar_says_its_n() -> None:
    panel = Panel(
        "Average score (1 to 5)",
        [Bar("Trust", [3.5, None], ["3.5", "–"], n=[4, None])],
        0,
        5,
        legend=["Partner side", "NGO side"],
    )
    drawn = texts(bar_panels_figure("T", "", [panel], "en"))
    assert "3.5 (n = 4)" in drawn and "–" in drawn and "Partner side" in drawn


# ------------------------------------------------------------------------------ Arabic


def arabic_heading(keep: list[str]) -> list[str]:
    subtitle = f"الربع الأول 2026 · المنظمة: {LONG_NAME_AR} · جميع الشركاء في المنطقة"
    figure = bar_panels_figure("نبض الشراكة", subtitle, panels("ar"), "ar", keep=keep)
    return [t for t in texts(figure) if any(w in t for w in subtitle.split())]


def test_an_arabic_title_wraps_between_words_but_never_inside_an_organisation_name() -> None:
    lines = arabic_heading([LONG_NAME_AR])
    assert len(lines) >= 3  # it had to wrap: the subtitle is wider than a phone
    assert sum(LONG_NAME_AR in line for line in lines) == 1
    # The same subtitle without the name marked would split it: the check can fail.
    assert not any(LONG_NAME_AR in line for line in arabic_heading([]))


def test_an_english_organisation_name_stays_on_one_line_too() -> None:
    subtitle = f"Jan 1 – Mar 31, 2026 · Organisation: {LONG_NAME_EN}"
    figure = bar_panels_figure("Partnership pulse", subtitle, [], "en", keep=[LONG_NAME_EN])
    assert LONG_NAME_EN in texts(figure)
