"""``partnerbot bench summary --answers 1000000``: summaries over a large answer table.

Seeds the three partner surveys with answers across organisations (with tags and both
attribution choices) and eight quarters, in bulk Core inserts, then times what staff wait for:

* ``summary_ms`` — the median of several ``/summary`` computations (one survey, this quarter,
  all partners: every figure of every question), the goal being under 500 ms on SQLite;
* the same for a tag breakdown, one organisation and the six-quarter trend;
* ``chart_ms`` — drawing the summary's chart; ``export_xlsx_s`` — a quarter's XLSX export
  (and ``export_xlsx_all_s`` for the survey's whole history);
* ``peak_rss_mb`` of this process.

Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot import periods
from bot.devtools.bench.measure import database_url, peak_rss_mb
from bot.reports.chart import bar_panels
from bot.reports.export_file import build
from bot.reports.summary_view import View
from bot.reports.wording import specs
from bot.surveys.registry import SurveyRegistry
from conversations import Survey
from storage import releases, summaries, trends
from storage.db import Database, is_sqlite
from storage.disclosure import Release
from storage.migrate import upgrade
from storage.models import (
    AnswerRow,
    Campaign,
    Contact,
    Organisation,
    OrganisationTag,
    Response,
)
from storage.scopes import Period, Scope
from storage.summary_figures import Summary

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
QUARTERS = 8
SURVEYS = ("partner_feedback", "kpi_checkin", "meeting_feedback")
CONTACTS_PER_ORG = 7
TAGS = ("refugee-led", "women", "youth", "urban", "rural")
CHUNK = 20_000
RUNS = 7
LANGUAGES = ("en", "fr", "es", "ar", "sw")


def _value(question: Any, rng: random.Random) -> dict[str, Any]:
    """One plausible answer row's value columns for a question of any type."""
    row: dict[str, Any] = {
        "status": "answered",
        "value_num": None,
        "value_text": None,
        "choice_codes": None,
        "voice_file_id": None,
        "voice_duration": None,
    }
    kind = question.type
    if getattr(question, "allows_dont_know", False) and rng.random() < 0.05:
        row["status"] = "dont_know"
    elif not question.required and rng.random() < 0.3:
        row["status"] = "skipped"
    elif kind == "scale":
        row["value_num"] = float(min(question.max, max(question.min, round(rng.gauss(3.6, 1)))))
    elif kind in ("integer", "decimal"):
        row["value_num"] = float(int(rng.lognormvariate(5, 1.2)))
    elif kind == "single_choice":
        code = rng.choice(question.codes)
        row["value_text"], row["choice_codes"] = code, [code]
    elif kind == "yes_no":
        row["value_text"] = "yes" if rng.random() < 0.7 else "no"
    elif kind == "multiple_choice":
        row["choice_codes"] = rng.sample(list(question.codes), k=min(2, len(question.codes)))
    elif kind == "text":
        if question.allows_voice and rng.random() < 0.2:
            row["voice_file_id"], row["voice_duration"] = "bench-voice", rng.randint(3, 60)
        else:
            row["value_text"] = rng.choice(
                ["Pay on time", "More visits please", "Shorter forms", "Thank you", "Training"]
            )
    elif kind == "date":
        row["value_text"] = "2026-01-15"
    return row


def _sqlite(value: Any) -> Any:
    """A value as SQLAlchemy writes it to SQLite (naive UTC text for times, JSON text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, list):
        return json.dumps(value)
    return value


class Seeder:
    """Bulk inserts in chunks; ids are assigned here so no row needs a round trip."""

    def __init__(self, db: Database, surveys: dict[str, tuple[Survey, int]], answers: int) -> None:
        self.db = db
        self.surveys = surveys
        self.target = answers
        self.rng = random.Random(7)
        answerable = {
            sid: [q for q in s.questions if q.is_answerable] for sid, (s, _v) in surveys.items()
        }
        self.questions = answerable
        # 10% of responses stay "invited" (no answers), 5% are partial (half the answers)
        per_response = statistics.mean(len(qs) for qs in answerable.values()) * 0.8
        responses = math.ceil(answers / per_response)
        self.contacts = max(30, math.ceil(responses / (QUARTERS * len(surveys))))
        self.organisations = max(10, self.contacts // CONTACTS_PER_ORG)

    async def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """SQLite: one ``executemany`` of plain tuples (values stored exactly as SQLAlchemy
        stores them); PostgreSQL: a Core insert, which asyncpg runs as a fast executemany."""
        if not rows:
            return
        table = model.__table__
        async with self.db.engine.begin() as conn:
            if not is_sqlite(self.db.url):
                await conn.execute(insert(table), rows)
                return
            columns = list(rows[0])
            marks = ", ".join("?" for _c in columns)
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            await conn.exec_driver_sql(
                sql, [tuple(_sqlite(row[c]) for c in columns) for row in rows]
            )

    async def run(self) -> int:
        await self._insert(
            Organisation,
            [
                {"id": i + 1, "name": f"RLO {i + 1}", "country": "KE", "created_at": NOW}
                for i in range(self.organisations)
            ],
        )
        await self._insert(
            OrganisationTag,
            [
                {"organisation_id": i + 1, "tag": TAGS[i % len(TAGS)]}
                for i in range(self.organisations)
            ],
        )
        contacts = [
            {
                "id": i + 1,
                "telegram_user_id": 20_000_000 + i,
                "display_name": f"P{i}",
                "organisation_id": i % self.organisations + 1,
                "role": "partner",
                "language": LANGUAGES[i % len(LANGUAGES)],
                "timezone": "UTC",
                "status": "active",
                "consent_at": NOW,
                "quiet_start": "21:00",
                "quiet_end": "08:00",
                "attribution": "attributed" if i % 5 < 2 else "aggregate",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(self.contacts)
        ]
        for start in range(0, len(contacts), CHUNK):
            await self._insert(Contact, contacts[start : start + CHUNK])
        written = 0
        campaign_id = 0
        response_id = 0
        responses: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        for back in range(QUARTERS):
            quarter = periods.quarter(NOW, "UTC", back)
            assert quarter.start is not None
            invited = quarter.start + timedelta(days=10)
            for survey_id in SURVEYS:
                _survey, version = self.surveys[survey_id]
                campaign_id += 1
                await self._insert(
                    Campaign,
                    [
                        {
                            "id": campaign_id,
                            "survey_id": survey_id,
                            "survey_version_id": version,
                            "audience_kind": "all",
                            "due_at": invited + timedelta(days=14),
                            "max_nudges": 2,
                            "nudge_every_days": 3,
                            "status": "open" if back == 0 else "closed",
                            "created_at": invited,
                            "closed_at": None if back == 0 else invited + timedelta(days=14),
                        }
                    ],
                )
                for contact in contacts:
                    response_id += 1
                    roll = self.rng.random()
                    status = "invited" if roll < 0.1 else "partial" if roll < 0.15 else "completed"
                    answered_at = invited + timedelta(hours=self.rng.randint(1, 300))
                    responses.append(
                        {
                            "id": response_id,
                            "survey_version_id": version,
                            "survey_id": survey_id,
                            "campaign_id": campaign_id,
                            "contact_id": contact["id"],
                            "organisation_id": contact["organisation_id"],
                            "status": status,
                            "language": contact["language"],
                            "pending_toggles": [],
                            "refusals": 0,
                            "invited_at": invited,
                            "started_at": None if status == "invited" else answered_at,
                            "updated_at": answered_at,
                            "completed_at": answered_at if status == "completed" else None,
                            "nudges_sent": 0,
                        }
                    )
                    if status != "invited":
                        questions = self.questions[survey_id]
                        if status == "partial":
                            questions = questions[: len(questions) // 2]
                        for seq, question in enumerate(questions, start=1):
                            answers.append(
                                {
                                    "response_id": response_id,
                                    "question_key": question.key,
                                    "raw_text": None,
                                    "language": contact["language"],
                                    "answered_at": answered_at,
                                    "seq": seq,
                                    **_value(question, self.rng),
                                }
                            )
                    if len(answers) >= CHUNK:
                        written += await self._flush(responses, answers)
                        responses, answers = [], []
                    if written + len(answers) >= self.target:
                        break
                if written + len(answers) >= self.target:
                    break
            if written + len(answers) >= self.target:
                break
        written += await self._flush(responses, answers)
        return written

    async def _flush(self, responses: list[dict[str, Any]], answers: list[dict[str, Any]]) -> int:
        await self._insert(Response, responses)
        await self._insert(AnswerRow, answers)
        return len(answers)


async def _timed(call: Callable[[], Awaitable[Any]], runs: int = RUNS) -> tuple[float, Any]:
    """Median wall time in ms over ``runs`` calls, and the last result."""
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), result


async def run(answers: int, database: str | None) -> dict[str, Any]:
    url = database_url(database, "partnerbot-bench-summary-")
    db = Database.connect(url)
    await upgrade(db.engine)
    registry = SurveyRegistry()
    await registry.load(db)
    surveys = {sid: registry.current[sid] for sid in SURVEYS}
    seeded_at = time.perf_counter()
    seeder = Seeder(db, surveys, answers)
    written = await seeder.run()
    seed_s = time.perf_counter() - seeded_at
    if is_sqlite(url):
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")

    survey = surveys["partner_feedback"][0]
    questions = specs(survey)
    this_quarter = periods.quarter(NOW, "UTC", 0)

    async def summarise(scope: Scope) -> Summary:
        """As /summary does it: decided against the release record, and recorded."""
        release = Release("summary", "bench", f"{scope.audience}:{scope.value}")
        async with releases.releasing(db) as session:
            return await summaries.summarise(
                session, scope, questions, threshold=3, release=release
            )

    main = Scope(survey.id, this_quarter)
    summary_ms, summary = await _timed(lambda: summarise(main))
    tag_ms, _s = await _timed(lambda: summarise(Scope(survey.id, this_quarter, "tag", "women")))
    org_ms, _s = await _timed(
        lambda: summarise(Scope(survey.id, this_quarter, "organisation", "1"))
    )
    year = Period(periods.quarter(NOW, "UTC", 3).start, this_quarter.end)
    year_ms, _s = await _timed(lambda: summarise(Scope(survey.id, year)))
    quarters = periods.quarters(NOW, "UTC", 6)
    keys = [q.key for q in questions if q.kind in ("scale", "number")]

    async def trend() -> list[trends.TrendPoint]:
        async with releases.releasing(db) as session:
            return await trends.trend(
                session,
                Scope(survey.id),
                quarters,
                keys,
                threshold=3,
                release=Release("trend", "bench", "all"),
            )

    trend_ms, _t = await _timed(trend)
    view = View(survey, "en")
    chart_ms, png = await _timed(
        lambda: asyncio.to_thread(bar_panels, view.title, "Q2 2026", view.panels(summary), "en"),
        runs=3,
    )
    started = time.perf_counter()
    quarter_file = await build(db, survey, main, "en", "xlsx", "bench")
    export_s = time.perf_counter() - started
    started = time.perf_counter()
    all_file = await build(db, survey, Scope(survey.id), "en", "xlsx", "bench-all")
    export_all_s = time.perf_counter() - started
    await db.close()
    return {
        "bench": "summary",
        "database": "sqlite" if is_sqlite(url) else "postgresql",
        "answers": written,
        "responses_in_summary": summary.respondents,
        "organisations": seeder.organisations,
        "contacts": seeder.contacts,
        "seed_s": round(seed_s, 1),
        "summary_ms": summary_ms,
        "summary_tag_ms": tag_ms,
        "summary_organisation_ms": org_ms,
        "summary_year_ms": year_ms,
        "trend_ms": trend_ms,
        "chart_ms": chart_ms,
        "chart_bytes": len(png),
        "export_xlsx_s": round(export_s, 2),
        "export_xlsx_rows": quarter_file.rows,
        "export_xlsx_all_s": round(export_all_s, 2),
        "export_xlsx_all_rows": all_file.rows,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(answers: int, database: str | None = None) -> int:
    result = asyncio.run(run(answers, database))
    print(json.dumps(result))
    return 0
