"""Recording the agreed J-PAT, one statement at a time: the agreed score (buttons); for a
flagged statement also the action (typed, or the one recorded before kept), its owner side and
its due date; then the whole for review. Each answer is stored at once (``bot.jpat.consolidate``
starts the wizard and routes its buttons and typed text here)."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot import callbacks
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
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


async def ask_score(
    context: BotContext,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    data: dict,
) -> None:
    svc = context.svc
    index = int(data["i"])
    key = data["keys"][index]
    figure, current = await service_agreed.statement(svc, round_.id, key)
    text = view_agreed.item_card(
        survey,
        figure,
        position=index + 1,
        total=len(data["keys"]),
        current=current,
        lang=person.lang,
    )
    keyboard = grid(
        [
            button(str(score), callbacks.data(AREA, "sc", round_.id, index, score))
            for score in range(1, 6)
        ],
        per_row=5,
    )
    await say_to(context, chat_id, person, text, keyboard)


async def scored(
    update: Update,
    context: BotContext,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    flow: ChatFlow,
    score: int,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    key = flow.data["keys"][int(flow.data["i"])]
    current = await service_agreed.record_score(svc, round_.id, key, score, person.contact_id)
    await common.close_keyboard(
        update.callback_query,
        f"{view.item_label(survey, key, person.lang)}\n✓ "
        + _("Agreed score: {score}", score=score),
        person.lang,
    )
    chat_id = update.effective_chat.id
    if key not in flow.data["flagged"]:
        await next_(context, chat_id, person, round_, survey, flow.data)
        return
    await put_step(svc, person.user_id, service_agreed.FLOW, "action", flow.data)
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
    await say_to(
        context,
        chat_id,
        person,
        _(
            "{flag} {item} was flagged. What action did both sides agree on? Please type it in a sentence or two.",
            flag=view.FLAG,
            item=view.item_code(key),
        ),
        keyboard,
    )


async def kept_action(
    update: Update,
    context: BotContext,
    person: Person,
    round_: JpatRound,
    flow: ChatFlow,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    key = flow.data["keys"][int(flow.data["i"])]
    current = await service_agreed.recorded(svc, round_.id, key)
    if current is None or not current.action_text:
        await common.expired_button(update, context, person.lang)
        return
    await common.close_keyboard(update.callback_query, current.action_text, person.lang)
    await ask_owner(context, update.effective_chat.id, person, {**flow.data}, current.action_text)


async def ask_owner(
    context: BotContext, chat_id: int, person: Person, data: dict, action: str
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    data = {**data, "action": action}
    await put_step(svc, person.user_id, service_agreed.FLOW, "owner", data)
    buttons = [
        button(
            view.owner_name(owner, _),
            callbacks.data(AREA, "ow", data["round"], data["i"], owner),
        )
        for owner in OWNERS
    ]
    await say_to(context, chat_id, person, _("Who owns this action?"), grid(buttons, 3))


async def owned(
    update: Update, context: BotContext, person: Person, flow: ChatFlow, owner: str
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    data = {**flow.data, "owner": owner}
    await put_step(svc, person.user_id, service_agreed.FLOW, "due", data)
    await common.close_keyboard(
        update.callback_query,
        _("Owner: {owner}", owner=view.owner_name(owner, _)),
        person.lang,
    )
    labels = {14: _("In 2 weeks"), 30: _("In 1 month"), 90: _("In 3 months")}
    buttons = [
        button(labels[days], callbacks.data(AREA, "du", data["round"], data["i"], days))
        for days in DUE_DAYS
    ]
    await say_to(
        context,
        update.effective_chat.id,
        person,
        _(
            "When is it due? Press a button or type a date, for example {example}.",
            example=dates.example(
                person.lang, today_for(context.svc, zone_of(person)), allow_past=False
            ),
        ),
        grid(buttons, 3),
    )


async def action_recorded(
    context: BotContext,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    flow: ChatFlow,
    due: date,
) -> None:
    svc = context.svc
    data = flow.data
    key = data["keys"][int(data["i"])]
    await service_agreed.record_action(
        svc, round_.id, key, data["action"], data["owner"], due, person.contact_id
    )
    clean = {k: v for k, v in data.items() if k not in ("action", "owner")}
    await next_(context, chat_id, person, round_, survey, clean)


async def next_(
    context: BotContext,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    data: dict,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    index = int(data["i"]) + 1
    if index < len(data["keys"]):
        data = {**data, "i": index}
        await put_step(svc, person.user_id, service_agreed.FLOW, "score", data)
        await ask_score(context, chat_id, person, round_, survey, data)
        return
    data = {**data, "i": 0}
    await put_step(svc, person.user_id, service_agreed.FLOW, "review", data)
    items, partnership = await service_agreed.agreed_items(svc, round_)
    text = view_agreed.consolidation_text(
        survey,
        name=partnership_name(partnership),
        round_=round_,
        items=items,
        lang=person.lang,
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
    await say_to(
        context,
        chat_id,
        person,
        _.paragraphs(text, _("Is this what both sides agreed?")),
        keyboard,
    )
