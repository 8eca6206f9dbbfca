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
from collections.abc import Callable
from typing import Any

from bot.sandbox import Phone

GRACE_SCORES = [4, 4, 5, 4, 5, 4, 4, 4, 4, 3, 4, 4, 4]
AMINA_SCORES = [3, 2, 4, 2, 2, 4, 4, 4, 4, 4, 4, 3, 3]
# Typed answers by question position: 13 the reason for a low score, 14 what works, 15 a change.
GRACE_WORDS = {14: "Monthly calls keep us close.", 15: "Plan the budget together."}
AMINA_WORDS = {
    13: "لا نشارك في قرارات الميزانية.",
    14: "التواصل الأسبوعي مع الفريق.",
    15: "أن نصمّم المؤشرات معًا.",
}
ACTION = "Co-design next year's budget in one joint workshop."
TIMEOUT = 40.0


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
    deadline = loop.time() + TIMEOUT
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
    on a message not in ``skip``."""

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
    message, data = await _button(phone, text=text, has=has, skip=skip)
    await phone.press(data=data, message_id=message.message_id)
    await phone.settle(quiet=0.3)
    return message


async def _answer(phone: Phone, scores: list[int], words: dict[int, str]) -> None:
    await _tap(phone, has=":-:go")
    for index, score in enumerate(scores):  # five screens, one per element
        await _tap(phone, has=f":{index}:c:{score}")
    for position, text in words.items():
        await _button(phone, has=f":{position}:b")  # the question (it has a Back button)
        await phone.send_text(text)
        await phone.settle(quiet=0.3)
    await _until(phone, lambda: any("/jpat view" in (m.text or "") for m in phone.messages))


async def act_jpat(walkthrough: Any) -> None:
    out = walkthrough.out
    staff = walkthrough.phone("staff")
    partner = walkthrough.phone("partner", "ar")

    await staff.send_command("partnership", "new")
    await _tap(staff, text="Amal Refugee Women's Network")  # the organisation Amina joined
    for step in ("pt:sd:today", "pt:st:ongoing", "pt:cad:quarterly"):
        await _tap(staff, has=step)
    await _button(staff, has="pt:es:")  # the partnership's card
    await staff.send_command("jpat", "open")
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
    await staff.settle(quiet=0.5)
    walkthrough.show(staff)
    photo = next(m for m in reversed(staff.messages) if m.kind == "photo")
    if photo.file is not None and photo.file.data is not None:
        path = walkthrough.files_dir / "jpat-comparison.png"
        path.write_bytes(photo.file.data)
        print(f"  (the chart is saved as {path})", file=out)

    await _tap(staff, has="jp:cs:")
    cards: set[int] = set()
    for _statement in range(13):
        card, _data = await _button(staff, has="jp:sc:", skip=cards)
        cards.add(card.message_id)
        flagged = "⚑" in (card.text or "")
        await _tap(staff, text="3" if flagged else "4", skip=cards - {card.message_id})
        if flagged:
            await _until(staff, lambda: "What action" in (staff.last_message.text or ""))
            await staff.send_text(ACTION)
            await _tap(staff, has=":both")
            await _tap(staff, has="jp:du:")
    await _tap(staff, has="jp:sd:")
    walkthrough.show(staff)

    await _tap(partner, has="jp:ok:")
    walkthrough.show(partner)
    await _until(staff, lambda: "it is final" in (staff.last_message.text or ""))
    walkthrough.show(staff)
