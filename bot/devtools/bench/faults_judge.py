"""The figures of ``partnerbot bench faults``, judged after the run from two records only.

The sandbox's record (every bot event in every chat, in order, and every callback query with
whether the bot answered it) is what the partners saw; the database is what the bot kept. The
partners' own log (:class:`~bot.devtools.bench.faults_load.Sent`) says what they sent. The
definitions are in ``bot.devtools.bench.faults``' docstring; each figure keeps up to five
examples so a non-zero one can be looked up in the chat's transcript.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.devtools.bench.faults_load import (
    Sent,
    listing_texts,
    plain,
    question_of,
    thanks_text,
)
from bot.devtools.sandbox import Sandbox
from conversations import Survey
from storage.db import Database
from storage.inbox import MAX_REPLAYS
from storage.models import AnswerRow, Contact, InboxUpdate, ProcessedUpdate, Response

EXAMPLES = 5
Key = tuple[int, str]  # (response id, question key)


@dataclass
class Stored:
    """What the database holds at the end, for the partners' contacts only."""

    responses: dict[int, tuple[int, str]]  # response id -> (telegram user id, status)
    answers: dict[Key, list[tuple[str, str | None, int]]]  # -> [(status, words, seq)]
    processed: set[int]
    inbox: dict[int, int]  # update id -> replays


async def read_stored(db: Database, user_ids: Iterable[int]) -> Stored:
    users = list(user_ids)
    async with db.sessions() as session:
        responses = {
            row.id: (row.telegram_user_id, str(row.status))
            for row in await session.execute(
                select(Response.id, Contact.telegram_user_id, Response.status)
                .join(Contact, Contact.id == Response.contact_id)
                .where(Contact.telegram_user_id.in_(users))
            )
        }
        answers: dict[Key, list[tuple[str, str | None, int]]] = defaultdict(list)
        for row in await session.execute(
            select(
                AnswerRow.response_id,
                AnswerRow.question_key,
                AnswerRow.status,
                AnswerRow.raw_text,
                AnswerRow.value_text,
                AnswerRow.seq,
            )
        ):
            if row.response_id in responses:
                words = " ".join(w for w in (row.raw_text, row.value_text) if w) or None
                answers[(row.response_id, row.question_key)].append(
                    (str(row.status), words, row.seq)
                )
        processed = set((await session.scalars(select(ProcessedUpdate.update_id))).all())
        inbox = {
            row.update_id: row.replays
            for row in await session.execute(select(InboxUpdate.update_id, InboxUpdate.replays))
        }
    return Stored(responses, dict(answers), processed, inbox)


@dataclass
class Figures:
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, example: str, n: int = 1) -> None:
        self.counts[name] += n
        if len(self.examples[name]) < EXAMPLES:
            self.examples[name].append(example)


@dataclass
class ChatReading:
    """One partner's chat read in order: what the bot showed and acknowledged."""

    acked: set[Key] = field(default_factory=set)
    sends: Counter[Key] = field(default_factory=Counter)
    thanks: Counter[int] = field(default_factory=Counter)
    listings: int = 0
    edited: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    words: list[str] = field(default_factory=list)  # every text the bot showed


def read_chat(
    sandbox: Sandbox, user_id: int, lang: str, survey: Survey, figures: Figures
) -> ChatReading:
    """Walk the bot's events in one chat; wrong-screen edits are counted on the way."""
    keys = [q.key for q in survey.questions]
    texts = {q.key: plain(survey.text_for(q.text, lang)) for q in survey.questions}
    thanks, listed = thanks_text(lang), listing_texts(lang)
    reading = ChatReading()
    showing: dict[int, Key] = {}  # message id -> the question it showed last with buttons
    shown: dict[int, list[str]] = defaultdict(list)  # response -> questions shown, in order
    last_response: int | None = None
    for event in sandbox.phone(user_id).events:
        if event.kind not in ("message", "edit"):
            continue
        body = plain(event.content)
        reading.words.append(body)
        if event.kind == "edit" and event.message_id is not None:
            reading.edited[event.message_id].append(event.time)
        where = question_of(event)
        before = showing.get(event.message_id or 0)
        if where is not None:
            rid, index = where
            key = keys[index]
            if event.kind == "edit" and before is not None and before != (rid, key):
                figures.add(
                    "wrong_screen_edits",
                    f"chat {user_id} #{event.message_id}: showed {before}, now asks {key}",
                )
            # A later question of the same response on screen: the earlier ones were taken.
            reading.acked.update((rid, k) for k in shown[rid] if keys.index(k) < index)
            if key not in shown[rid]:
                shown[rid].append(key)
            showing[event.message_id or 0] = (rid, key)
            if event.kind == "message":
                reading.sends[(rid, key)] += 1
            last_response = rid
        elif event.kind == "edit" and before is not None:
            inside = [k for k, text in texts.items() if text and text in body]
            if inside and before[1] not in inside:
                figures.add(
                    "wrong_screen_edits",
                    f"chat {user_id} #{event.message_id}: showed {before}, edited into {inside}: "
                    f"{body[:80]!r}",
                )
            elif "✓" in body and before[1] in inside:
                reading.acked.add(before)
        elif event.kind == "message" and body.startswith(thanks) and last_response is not None:
            reading.thanks[last_response] += 1
            reading.acked.update((last_response, k) for k in shown[last_response])
        elif event.kind == "message" and body.startswith(listed):
            reading.listings += 1
    return reading


def _fate(sent: Sent, stored: Stored, delivered: Counter[int]) -> str:
    """Where a lost update stopped: never delivered, given up in the inbox, or claimed."""
    if sent.update_id in stored.processed:
        return "claimed"
    if sent.update_id in stored.inbox:
        return f"in inbox after {stored.inbox[sent.update_id]} replays"
    return "delivered, never stored" if delivered[sent.update_id] else "never delivered"


def judge(
    sandbox: Sandbox,
    survey: Survey,
    languages: dict[int, str],
    log: list[Sent],
    delivered: Counter[int],
    stored: Stored,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The figures and their examples."""
    figures = Figures()
    for name in (
        "lost_updates",
        "lost_answers",
        "duplicate_answers",
        "wrong_screen_edits",
        "lost_confirmations",
        "duplicate_sends",
        "thanked_not_completed",
    ):
        figures.counts[name] = 0
    keys = [q.key for q in survey.questions]
    readings = {
        user_id: read_chat(sandbox, user_id, lang, survey, figures)
        for user_id, lang in languages.items()
    }
    queries = sandbox.state.callback_queries
    commands: Counter[int] = Counter()
    last_command: dict[int, Sent] = {}
    fates: Counter[str] = Counter()
    for sent in log:
        reading = readings[sent.chat_id]
        if sent.kind == "command":
            commands[sent.chat_id] += 1
            last_command[sent.chat_id] = sent
            continue
        effect = False
        if sent.kind == "press" and sent.query_id is not None:
            effect = queries[sent.query_id].answered
            parts = (sent.data or "").split(":")
            if parts[-1] == "go":
                edits = reading.edited.get(sent.message_id or 0, [])
                effect = effect or any(at >= sent.time for at in edits)
            elif parts[1].isdigit() and parts[2].isdigit():
                effect = effect or (int(parts[1]), keys[int(parts[2])]) in stored.answers
        elif sent.kind == "text" and sent.text is not None:
            tag = sent.text.rsplit(" ", 1)[-1]
            effect = any(tag in words for words in reading.words) or any(
                words is not None and tag in words
                for rows in stored.answers.values()
                for _status, words, _seq in rows
            )
        if not effect:
            fate = _fate(sent, stored, delivered)
            fates[fate] += 1
            figures.add(
                "lost_updates",
                f"chat {sent.chat_id} update {sent.update_id} {sent.kind} "
                f"{sent.data or sent.text!r}: {fate}",
            )
    for chat_id, count in commands.items():
        missing = count - readings[chat_id].listings
        if missing > 0:
            sent = last_command[chat_id]
            figures.add(
                "lost_updates",
                f"chat {chat_id}: {count} /surveys, {readings[chat_id].listings} lists "
                f"(last /surveys: update {sent.update_id}, {_fate(sent, stored, delivered)})",
                missing,
            )
    for user_id, reading in readings.items():
        for key in sorted(reading.acked - stored.answers.keys()):
            figures.add("lost_answers", f"chat {user_id}: response {key[0]} {key[1]}")
        for key, n in reading.sends.items():
            if n > 1:
                figures.add("duplicate_sends", f"chat {user_id}: {key} asked {n} times", n - 1)
        for rid, n in reading.thanks.items():
            if n > 1:
                figures.add(
                    "duplicate_sends", f"chat {user_id}: response {rid} thanked {n}x", n - 1
                )
            if stored.responses.get(rid, (0, ""))[1] != "completed":
                figures.add("thanked_not_completed", f"chat {user_id}: response {rid}")
    for rid, (user_id, status) in sorted(stored.responses.items()):
        if status == "completed" and readings[user_id].thanks[rid] == 0:
            figures.add("lost_confirmations", f"chat {user_id}: response {rid}")
    seqs: dict[int, list[int]] = defaultdict(list)
    for (rid, key), rows in stored.answers.items():
        if len(rows) > 1:
            figures.add(
                "duplicate_answers", f"response {rid} {key}: {len(rows)} rows", len(rows) - 1
            )
        seqs[rid].extend(seq for _status, _words, seq in rows)
    for rid, values in seqs.items():
        # Every storing of an answer takes the next seq; with nothing ever changed (no Back),
        # seqs above the number of rows are answers stored again.
        extra = max(values) - len(values)
        if extra > 0:
            figures.add("duplicate_answers", f"response {rid}: seqs {sorted(values)}", extra)
    result: dict[str, Any] = dict(figures.counts)
    sent_ids = {s.update_id for s in log}
    result.update(
        updates_sent=len(log),
        updates_delivered=sum(1 for i in sent_ids if delivered[i]),
        redeliveries=sum(delivered[i] for i in sent_ids) - sum(1 for i in sent_ids if delivered[i]),
        updates_unclaimed=len(sent_ids - stored.processed),
        updates_given_up=sum(1 for i in sent_ids if stored.inbox.get(i, 0) >= MAX_REPLAYS),
        lost_update_fates=dict(fates),
        responses_completed=sum(1 for _u, s in stored.responses.values() if s == "completed"),
        answers_stored=len(stored.answers),
        answers_acknowledged=sum(len(r.acked) for r in readings.values()),
    )
    return result, {k: v for k, v in figures.examples.items() if v}
