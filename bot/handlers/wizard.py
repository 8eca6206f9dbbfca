"""The part every staff wizard's button handler shares: who pressed, which step, Cancel.

A press is refused for non-staff (exactly like an unknown command), answered with the
"no longer active" notice when it is malformed or the person is not in this wizard any more,
and Cancel ends the wizard. What is left for the handler is the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot import callbacks
from bot.access import Person, person_of, refuse
from bot.handlers import common
from bot.i18n import Translator, translator
from bot.services import Services, services
from storage import flows
from storage.models import ChatFlow


@dataclass
class Press:
    svc: Services
    person: Person
    query: CallbackQuery
    flow: ChatFlow
    action: str
    arg: str | None
    chat_id: int
    _: Translator

    async def goto(self, step: str, data: dict[str, Any]) -> None:
        """Move the wizard to ``step``, keeping ``data`` for the steps after it."""
        async with self.svc.db.transaction() as session:
            await flows.put(
                session, self.person.user_id, self.flow.flow, step, data, self.svc.clock.now()
            )

    async def end(self) -> None:
        async with self.svc.db.transaction() as session:
            await flows.clear(session, self.person.user_id)


async def staff_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, area: str, flow_name: str
) -> Press | None:
    """The checked press, or None when it was refused, stale, or a Cancel (all answered)."""
    svc = services(context)
    person = await person_of(update, context)
    if not person.is_staff:
        await refuse(update, context, person)
        return None
    query = update.callback_query
    pieces = callbacks.parts(query.data, area)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if pieces is None or flow is None or flow.flow != flow_name:
        await common.expired_button(update, context, person.lang)
        return None
    _ = translator(person.lang)
    press = Press(
        svc=svc,
        person=person,
        query=query,
        flow=flow,
        action=pieces[1],
        arg=pieces[2] if len(pieces) > 2 else None,
        chat_id=update.effective_chat.id,
        _=_,
    )
    if press.action == "cancel":
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        await press.end()
        return None
    return press
