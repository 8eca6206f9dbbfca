"""Recording the agreed J-PAT, one statement at a time: the agreed score (buttons); for a
flagged statement also the action (typed, or the one recorded before kept), its owner side and
its due date; then the whole for review. Each answer is stored at once (``bot.jpat.consolidate``
starts the wizard and routes its buttons and typed text here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.handlers import common
from bot.handlers.press import Press, Turn
from bot.handlers.wizard import put_step
from bot.i18n import translator
from bot.jpat import service_agreed, view, view_agreed
from bot.jpat.access import partnership_name, say_to, today_for, zone_of
from bot.keyboards import button, column, grid
from conversations import Survey, dates
from storage.jpat_rules import OWNERS
from storage.models import ChatFlow, JpatRound

AREA = "jp"
DUE_DAYS = (14, 30, 90)


@dataclass
class Recording(Turn):
    """A staff member recording the agreed J-PAT of one round: what every step of the wizard
    works on, whether a press or typed text brought it there."""

    round_: JpatRound
    survey: Survey

    async def say(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        await say_to(self.context, self.chat_id, self.person, text, keyboard)

    async def goto(self, step: str, data: dict) -> None:
        """Move the wizard to ``step``, keeping ``data`` for the steps after it."""
        await put_step(self.svc, self.person.user_id, service_agreed.FLOW, step, data)


async def ask_score(recording: Recording, data: dict) -> None:
    """The statement the wizard is on (``data["i"]``), with both sides' figures: its score?"""
    index = int(data["i"])
    key = data["keys"][index]
    figure, current = await service_agreed.statement(recording.svc, recording.round_.id, key)
    text = view_agreed.item_card(
        recording.survey,
        figure,
        position=index + 1,
        total=len(data["keys"]),
        current=current,
        lang=recording.person.lang,
    )
    keyboard = grid(
        [
            button(str(score), callbacks.data(AREA, "sc", recording.round_.id, index, score))
            for score in range(1, 6)
        ],
        per_row=5,
    )
    await recording.say(text, keyboard)


async def scored(press: Press, recording: Recording, flow: ChatFlow, score: int) -> None:
    """The agreed score pressed: stored; a flagged statement then asks for its action."""
    _, person, round_ = press._, recording.person, recording.round_
    key = flow.data["keys"][int(flow.data["i"])]
    current = await service_agreed.record_score(
        recording.svc, round_.id, key, score, person.contact_id
    )
    await common.close_keyboard(
        press.query,
        f"{view.item_label(recording.survey, key, person.lang)}\n✓ "
        + _("Agreed score: {score}", score=score),
        person.lang,
    )
    if key not in flow.data["flagged"]:
        await next_(recording, flow.data)
        return
    await recording.goto("action", flow.data)
    keyboard = None
    if current is not None and current.action_text:
        keyboard = column(
            [
                button(
                    _("Keep: {action}", action=current.action_text[:40]),
                    callbacks.data(AREA, "ka", round_.id, flow.data["i"]),
                )
            ]
        )
    await recording.say(
        _(
            "{flag} {item} was flagged. What action did both sides agree on? Please type it in a sentence or two.",
            flag=view.FLAG,
            item=view.item_code(key),
        ),
        keyboard,
    )


async def kept_action(press: Press, recording: Recording, flow: ChatFlow) -> None:
    """The "Keep" button: the action recorded before stands; on to its owner."""
    key = flow.data["keys"][int(flow.data["i"])]
    current = await service_agreed.recorded(recording.svc, recording.round_.id, key)
    if current is None or not current.action_text:
        await press.expired()
        return
    await common.close_keyboard(press.query, current.action_text, recording.person.lang)
    await ask_owner(recording, {**flow.data}, current.action_text)


async def ask_owner(recording: Recording, data: dict, action: str) -> None:
    """The action is known (typed or kept): which side owns it?"""
    _ = translator(recording.person.lang)
    data = {**data, "action": action}
    await recording.goto("owner", data)
    buttons = [
        button(
            view.owner_name(owner, _),
            callbacks.data(AREA, "ow", data["round"], data["i"], owner),
        )
        for owner in OWNERS
    ]
    await recording.say(_("Who owns this action?"), grid(buttons, 3))


async def owned(press: Press, recording: Recording, flow: ChatFlow, owner: str) -> None:
    """The owner pressed: when is the action due?"""
    _, person = press._, recording.person
    data = {**flow.data, "owner": owner}
    await recording.goto("due", data)
    await common.close_keyboard(
        press.query,
        _("Owner: {owner}", owner=view.owner_name(owner, _)),
        person.lang,
    )
    labels = {14: _("In 2 weeks"), 30: _("In 1 month"), 90: _("In 3 months")}
    buttons = [
        button(labels[days], callbacks.data(AREA, "du", data["round"], data["i"], days))
        for days in DUE_DAYS
    ]
    await recording.say(
        _(
            "When is it due? Press a button or type a date, for example {example}.",
            example=dates.example(
                person.lang, today_for(recording.svc, zone_of(person)), allow_past=False
            ),
        ),
        grid(buttons, 3),
    )


async def action_recorded(recording: Recording, flow: ChatFlow, due: date) -> None:
    """The due date (pressed or typed) completes the action: stored, and on to the next."""
    data = flow.data
    key = data["keys"][int(data["i"])]
    await service_agreed.record_action(
        recording.svc,
        recording.round_.id,
        key,
        data["action"],
        data["owner"],
        due,
        recording.person.contact_id,
    )
    clean = {k: v for k, v in data.items() if k not in ("action", "owner")}
    await next_(recording, clean)


async def next_(recording: Recording, data: dict) -> None:
    """The next statement, or, after the last, the whole agreed J-PAT for review."""
    svc, round_, survey = recording.svc, recording.round_, recording.survey
    _ = translator(recording.person.lang)
    index = int(data["i"]) + 1
    if index < len(data["keys"]):
        data = {**data, "i": index}
        await recording.goto("score", data)
        await ask_score(recording, data)
        return
    data = {**data, "i": 0}
    await recording.goto("review", data)
    items, partnership = await service_agreed.agreed_items(svc, round_)
    text = view_agreed.consolidation_text(
        survey,
        name=partnership_name(partnership),
        round_=round_,
        items=items,
        lang=recording.person.lang,
    )
    keyboard = column(
        [
            button(
                _("Send to the partner side to confirm"),
                callbacks.data(AREA, "sd", round_.id, 0),
            ),
            button(_("Start again"), callbacks.data(AREA, "cs", round_.partnership_id)),
        ]
    )
    await recording.say(_.paragraphs(text, _("Is this what both sides agreed?")), keyboard)
