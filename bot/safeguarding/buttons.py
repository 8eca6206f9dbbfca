"""Every ``sg:`` button, checked before it is handed on: confidential reports are read by the
named safeguarding focal points alone.

Who may do what is checked on every press, since buttons can be forged: the partner's
buttons (send, don't send, answer) only for the person who wrote the report; the focal
point's (open, reply, mark handled) only for a named focal point who is still staff or admin.
Anyone else gets the same refusal as an unknown command, written to the audit log.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import refuse
from bot.context import BotContext
from bot.handlers import common
from bot.safeguarding import answers, reading, report, service
from bot.safeguarding.view import AREA


async def on_button(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    pieces = callbacks.parts(update.callback_query.data, AREA, minimum=3)
    if pieces is None or not callbacks.is_number(pieces[2]):
        await refuse(update, context, person)
        return
    action, arg = pieces[1], (pieces[3] if len(pieces) > 3 else None)
    found = await service.get(svc, int(pieces[2]))
    if action in ("op", "rp", "hd"):
        if not await service.is_focal_point(svc, person):
            await refuse(update, context, person)
            return
        if found is None or found.status == "draft":
            await common.expired_button(update, context, person.lang)
            return
        await reading.on_button(update, context, person, action, found)
        return
    owner = (
        found is not None and person.contact is not None and found.contact_id == person.contact.id
    )
    if action not in ("s", "x", "an") or not owner:
        await refuse(update, context, person)
        return
    assert found is not None
    if action == "an":
        await answers.on_answer_button(update, context, person, found)
        return
    await report.on_button(update, context, person, action, found, arg)
