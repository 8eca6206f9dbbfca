"""What every wizard shares: the step a chat is on, and a staff wizard's press and typing.

The step lives in ``chat_flows`` (one row a person), so a restart or a second process carries
on; ``step_of``, ``put_step`` and ``leave_steps`` are the one place that reads and writes it,
for every feature's wizard.

A staff press is refused for non-staff (exactly like an unknown command), answered with the
"no longer active" notice when it is malformed or the person is not in this wizard any more,
and Cancel ends the wizard. What is left for the handler is the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot import callbacks
from bot.access import Person, refuse
from bot.context import BotContext
from bot.handlers import common, press
from bot.services import Services
from storage import flows
from storage.models import ChatFlow


async def step_of(svc: Services, user_id: int, flow_name: str | None = None) -> ChatFlow | None:
    """The step the person is on (only when it is one of ``flow_name``, if that is given)."""
    async with svc.db.sessions() as session:
        flow = await flows.get(session, user_id)
    if flow is None or (flow_name is not None and flow.flow != flow_name):
        return None
    return flow


async def put_step(
    svc: Services, user_id: int, flow_name: str, step: str, data: dict[str, Any]
) -> None:
    """Move the person to ``step`` of ``flow_name``, keeping ``data`` for the steps after it."""
    async with svc.db.transaction() as session:
        await flows.put(session, user_id, flow_name, step, data, svc.clock.now())


async def leave_steps(svc: Services, user_id: int) -> None:
    """The person is in no wizard any more: their next message is read afresh."""
    async with svc.db.transaction() as session:
        await flows.clear(session, user_id)


async def staff_typing(update: Update, context: BotContext, person: Person) -> str | None:
    """What a staff member typed in a staff wizard's step, stripped; None when they are no
    longer staff (the wizard is left and they are refused exactly like an unknown command, so a
    role taken away mid-wizard cannot finish it)."""
    if not person.is_staff:
        await leave_steps(context.svc, person.user_id)
        await refuse(update, context, person)
        return None
    return (update.effective_message.text or "").strip()


@dataclass
class Press(press.Press):
    """A press in a staff wizard: also the step the wizard is on."""

    flow: ChatFlow

    async def goto(self, step: str, data: dict[str, Any]) -> None:
        """Move the wizard to ``step``, keeping ``data`` for the steps after it."""
        await put_step(self.svc, self.person.user_id, self.flow.flow, step, data)

    async def end(self) -> None:
        """The wizard is over (done or cancelled)."""
        await leave_steps(self.svc, self.person.user_id)


async def staff_button(update: Update, context: BotContext, area: str) -> press.Press | None:
    """A staff button of ``area``, or None when it was refused (not staff: exactly like an
    unknown command) or malformed (answered as no longer active)."""
    person = await context.who()
    if not person.is_staff:
        await refuse(update, context, person)
        return None
    pieces = callbacks.parts(update.callback_query.data, area)
    if pieces is None:
        await common.expired_button(update, context, person.lang)
        return None
    return press.Press(update, context, person, pieces[1], pieces[2:])


async def staff_press(
    update: Update, context: BotContext, area: str, flow_name: str
) -> Press | None:
    """The checked press, or None when it was refused, stale, or a Cancel (all answered)."""
    button = await staff_button(update, context, area)
    if button is None:
        return None
    flow = await step_of(context.svc, button.person.user_id, flow_name)
    if flow is None:
        await button.expired()
        return None
    pressed = Press(update, context, button.person, button.action, button.args, flow)
    if pressed.action == "cancel":
        _ = pressed._
        await common.close_keyboard(pressed.query, _("Cancelled."), pressed.lang)
        await pressed.end()
        return None
    return pressed
