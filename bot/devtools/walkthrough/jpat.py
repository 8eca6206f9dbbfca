"""The walkthrough's J-PAT act: one full round, from the partnership to the signed record.

Grace (staff) sets up the partnership with the organisation Amina joined and opens a round;
each answers on their own (Grace in English, Amina in Arabic); Grace closes the round once both
have submitted, reads the comparison and its chart, records what the joint meeting agreed, and
Amina confirms the consolidated J-PAT. The chart is saved to a file whose path is printed.

The bot paces itself in each chat (about one message a second), so every step waits for the
button it needs next rather than for a fixed time.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable
from typing import Any

from bot.devtools.sandbox import Phone
from bot.devtools.walkthrough import CHANGES, WAIT, replied, until_button

GRACE_SCORES = [4, 4, 5, 4, 5, 4, 4, 4, 4, 3, 4, 4, 4]
AMINA_SCORES = [3, 2, 4, 2, 2, 4, 4, 4, 4, 4, 4, 3, 3]
# Typed answers by question position: 13 the reason for a low score, 14 what works, 15 a change.
GRACE_WORDS = {14: "Monthly calls keep us close.", 15: "Plan the budget together."}
AMINA_WORDS = {
    13: "لا نشارك في قرارات الميزانية.",
    14: "التواصل الأسبوعي مع الفريق.",
    15: "أن نصمّم المؤشرات معًا.",
}
# What the joint meeting agreed on the statements it flagged, by statement: which score both
# sides settled on, the action, who owns it and when it is due (days from today).
AGREED_ACTIONS = {
    "2b": (
        "middle",
        "Agree next year's budget lines together in one joint workshop.",
        "both",
        30,
    ),
    "1b": (
        "partner",
        "Put power and funding on the agenda of every quarterly review.",
        "ngo",
        14,
    ),
    "2a": (
        "ngo",
        "Amal drafts next year's indicators; the NGO comments within a week.",
        "partner",
        90,
    ),
}
OTHER_ACTION = ("middle", "Talk this statement through again at the next review.", "both", 30)
# Statements not flagged: the meeting keeps one side's score or meets in the middle, in turn.
UNFLAGGED_CHOICES = ("ngo", "partner", "middle")
CHOICE_WORDS = {
    "ngo": "they keep the NGO side's score",
    "partner": "they keep the partner side's score",
    "middle": "they meet in the middle",
}
OWNER_WORDS = {"ngo": "the NGO side", "partner": "the partner side", "both": "both sides"}
CARD = re.compile(r"NGO side ([\d.]+) \(n=\d+\) · partner side ([\d.]+)")
CODE = re.compile(r"^(?:⚑ )?(\d+[a-z]) · ", re.MULTILINE)


def _buttons(message: Any) -> list[tuple[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [
        (b.get("text", ""), b["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


async def _until(phone: Phone, found: Callable[[], Any]) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while loop.time() < deadline:
        result = found()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise TimeoutError(f"chat {phone.chat_id} waited in vain:\n{phone.transcript()[-1500:]}")


async def _button(
    phone: Phone, *, text: str | None = None, has: str | None = None, skip: set[int] | None = None
) -> tuple[Any, str]:
    """A live button with this label (or whose callback data contains ``has``), newest first,
    on a message not in ``skip``; waits for the bot to show it."""

    def look() -> tuple[Any, str] | None:
        for message in reversed(phone.messages):
            if skip and message.message_id in skip:
                continue
            for label, data in _buttons(message):
                if (text is not None and label == text) or (has is not None and has in data):
                    return message, data
        return None

    return await _until(phone, look)


async def _tap(
    phone: Phone, *, text: str | None = None, has: str | None = None, skip: set[int] | None = None
) -> Any:
    """Press the button, then wait for the bot's reply to it: every button here changes the
    message it is on (an edit) or brings a new one."""
    message, data = await _button(phone, text=text, has=has, skip=skip)
    phone.consume_all()  # what came before is not the reply to this press
    await phone.press(data=data, message_id=message.message_id)
    await replied(phone, kinds=CHANGES)
    return message


async def _tap_where(phone: Phone, prefix: str, suffix: str) -> None:
    """Press the newest button whose callback data starts with ``prefix`` and ends with
    ``suffix``, once the bot shows it, and wait for the bot's reply."""
    message, data = await until_button(phone, lambda d: d.startswith(prefix) and d.endswith(suffix))
    phone.consume_all()
    await phone.press(data=data, message_id=message.message_id)
    await replied(phone, kinds=CHANGES)


async def _answer(phone: Phone, scores: list[int], words: dict[int, str]) -> None:
    await _tap(phone, has=":-:go")
    for index, score in enumerate(scores):  # five screens, one per element
        await _tap(phone, has=f":{index}:c:{score}")
    for position, text in words.items():
        await _button(phone, has=f":{position}:b")  # the question (it has a Back button)
        phone.consume_all()
        await phone.send_text(text)
        await replied(phone)  # the next question, or the thanks
    await _until(phone, lambda: any("/jpat view" in (m.text or "") for m in phone.messages))


def _agreed(choice: str, ngo: float, partner: float) -> int:
    if choice == "ngo":
        score = ngo
    elif choice == "partner":
        score = partner
    else:
        score = math.floor((ngo + partner) / 2)
    return max(1, min(5, round(score)))


async def _consolidate(walkthrough: Any, staff: Phone) -> None:
    """Grace records what the joint meeting agreed, statement by statement: one side's score
    here, a score in the middle there, and for each flagged statement its own action, owner and
    due date."""
    out = walkthrough.out
    await _tap(staff, has="jp:cs:")
    cards: set[int] = set()
    unflagged = 0
    for _statement in range(13):
        card, _data = await _button(staff, has="jp:sc:", skip=cards)
        cards.add(card.message_id)
        text = card.text or ""
        found = CARD.search(text)
        ngo, partner = (float(found.group(1)), float(found.group(2))) if found else (3.0, 3.0)
        code = CODE.search(text)
        flagged = "⚑" in text
        if flagged:
            choice, action, owner, days = AGREED_ACTIONS.get(
                code.group(1) if code else "", OTHER_ACTION
            )
        else:
            choice = UNFLAGGED_CHOICES[unflagged % len(UNFLAGGED_CHOICES)]
            unflagged += 1
        score = _agreed(choice, ngo, partner)
        walkthrough.show(staff)
        note = f"{CHOICE_WORDS[choice]}, {score}"
        if flagged:
            note += f"; an action for {OWNER_WORDS[owner]}, due in {days} days"
        print(f"  (at the joint meeting {note})", file=out)
        [data] = [d for _label, d in _buttons(card) if d.endswith(f":{score}")]
        staff.consume_all()
        await staff.press(data=data, message_id=card.message_id)
        await replied(staff)  # the next statement, the flagged statement's question, or review
        if flagged:
            await _until(staff, lambda: "What action" in (staff.last_message.text or ""))
            staff.consume_all()
            await staff.send_text(action)
            await replied(staff)  # who owns it?
            await _tap_where(staff, "jp:ow:", f":{owner}")
            await _tap_where(staff, "jp:du:", f":{days}")
    await _tap(staff, has="jp:sd:")
    walkthrough.show(staff)


async def act_jpat(walkthrough: Any) -> None:
    out = walkthrough.out
    staff = walkthrough.phone("staff")
    partner = walkthrough.phone("partner", "ar")

    await staff.send_command("partnership", "new")
    await replied(staff)
    await _tap(staff, text="Amal Refugee Women's Network")  # the organisation Amina joined
    for step in ("pt:sd:today", "pt:st:ongoing", "pt:cad:quarterly"):
        await _tap(staff, has=step)
    await _button(staff, has="pt:es:")  # the partnership's card
    await staff.send_command("jpat", "open")
    await replied(staff)
    await _tap(staff, text="In 7 days")
    await _button(staff, has=":-:go")  # her own invitation
    walkthrough.show(staff)

    await _answer(partner, AMINA_SCORES, AMINA_WORDS)
    walkthrough.show(partner)
    await _answer(staff, GRACE_SCORES, GRACE_WORDS)
    await _tap(staff, has="jp:cl:")  # both sides have submitted: close now
    charts = sum(1 for m in staff.messages if m.kind == "photo")  # the summary's is there
    await _tap(staff, has="jp:vw:")
    await _until(staff, lambda: sum(1 for m in staff.messages if m.kind == "photo") > charts)
    await staff.settle(quiet=0.5, timeout=WAIT)
    walkthrough.show(staff)
    photo = next(m for m in reversed(staff.messages) if m.kind == "photo")
    if photo.file is not None and photo.file.data is not None:
        path = walkthrough.files_dir / "jpat-comparison.png"
        path.write_bytes(photo.file.data)
        print(f"  (the chart is saved as {path})", file=out)

    await _consolidate(walkthrough, staff)

    await _tap(partner, has="jp:ok:")
    walkthrough.show(partner)
    await _until(staff, lambda: "it is final" in (staff.last_message.text or ""))
    walkthrough.show(staff)
