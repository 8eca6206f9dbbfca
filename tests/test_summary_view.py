"""Pieces of the staff reports that need no bot: periods, the chart, the words."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import periods
from bot.reports.chart import Bar, Panel, bar_panels
from bot.reports.summary_view import View
from conversations import load_all
from storage.disclosure import OVERLAP_ORGANISATION
from storage.summary_figures import Bucket, QuestionFigures, Summary
from storage.trends import TrendPoint


def test_quarters_start_at_midnight_where_the_reader_lives() -> None:
    now = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)  # 03:30 on 1 April in Nairobi
    this = periods.quarter(now, "Africa/Nairobi")
    assert this.start == datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # 1 April, 00:00 in Nairobi
    last = periods.quarter(now, "Africa/Nairobi", 1)
    assert last.end == this.start
    assert last.start == datetime(2025, 12, 31, 21, 0, tzinfo=UTC)
    assert [periods.quarter_label(q, "UTC", "fr") for q in periods.quarters(now, "UTC", 3)] == [
        "T4 2025",
        "T1 2026",
        "T2 2026",
    ]


def test_typed_dates_in_either_order() -> None:
    period = periods.parse_dates("2026-03-31 2026-01-01", "UTC")
    assert period is not None
    assert (period.start, period.end) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert periods.parse_dates("from January to March", "UTC") is None
    assert periods.parse_dates("2026-02-30 2026-03-01", "UTC") is None
    assert periods.parse_dates("2026-01-01 9999-12-31", "UTC") is None  # no day after
    assert periods.parse_dates("0001-01-01 2026-01-01", "Africa/Nairobi") is None


def test_an_arabic_chart_is_a_phone_sized_png() -> None:
    png = bar_panels(
        "نبض الشراكة",
        "الربع الأول 2026",
        [Panel("متوسط الدرجة", [Bar("بشكل عام، ما مدى رضاك عن شراكتنا؟", [3.7], ["3.7"])], 0, 5)],
        "ar",
    )
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width == 1080 and 300 < height < 2000


def test_a_partner_reads_what_was_heard_in_their_language() -> None:
    survey = load_all()["partner_feedback"]
    summary = Summary(
        "partner_feedback",
        recipients=10,
        started=7,
        completed=6,
        respondents=7,
        organisations=5,
        left_out=0,
        threshold=3,
        suppressed=None,
        questions=[
            QuestionFigures(
                "satisfaction",
                "scale",
                answered=6,
                mean=3.5,
                median=4,
                distribution=[Bucket(2, 2, 2), Bucket(4, 4, 3), Bucket(5, 5, 1)],
            ),
            QuestionFigures("improve", "text", answered=6, latest=["a private remark"]),
        ],
    )
    text = View(survey, "fr").partner_text(summary, "We will pay on time.", "en")
    assert (
        "Dans l'ensemble, quel est votre niveau de satisfaction à l'égard de notre partenariat ?"
        in text
    )
    assert "4 Satisfait(e)" in text and "50" in text
    assert "anglais" in text and "We will pay on time." in text
    assert "a private remark" not in text  # never quoted back to partners


def test_a_hidden_question_says_why() -> None:
    view = View(load_all()["partner_feedback"], "en")
    few = QuestionFigures("improve", "text", answered=4, people=1, suppressed=True)
    alone = QuestionFigures("improve", "text", answered=3, people=3, suppressed=True, alone=True)
    assert "Answered by 1 person: too few to show (fewer than 3)." in view.question_block(
        7, few, 3, quotes=True
    )
    assert "comes from one organisation" in view.question_block(7, alone, 3, quotes=True)
    held = QuestionFigures("improve", "text", answered=4, people=4, suppressed=True)
    held.reason = OVERLAP_ORGANISATION
    for text in (
        view.question_block(7, held, 3, quotes=True),
        view.suppressed_reason(
            Summary("partner_feedback", 9, 9, 9, 9, 3, 0, 3, OVERLAP_ORGANISATION)
        ),
    ):
        assert "would reveal the answers of one organisation" in text


def test_a_trend_says_why_a_figure_of_a_period_with_enough_people_is_missing() -> None:
    view = View(load_all()["partner_feedback"], "fr")
    quarter = periods.quarter(datetime(2026, 3, 1, tzinfo=UTC), "UTC", 0)
    shown = TrendPoint(quarter, 9, 9, 9, None, {}, {})  # enough people, no mean shown
    text = view.trend_text("Tendance", [shown], ["T1 2026"], ["satisfaction"], 3)
    assert "moins de 3 personnes" in text
    assert "une seule organisation" in text  # the organisation check of the release record
