"""Keeps a contact's blocked / unblocked status in step with Telegram's my_chat_member updates."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.context import BotContext
from storage import contacts


async def chat_member_changed(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    svc = context.svc
    user_id = change.chat.id
    now = svc.clock.now()
    status = change.new_chat_member.status
    async with svc.db.transaction() as session:
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            svc.send_path.blocked_chats.add(user_id)
            await contacts.mark_blocked(session, user_id, now)
        elif status == ChatMember.MEMBER:
            svc.send_path.unblock(user_id)
            await contacts.mark_unblocked(session, user_id, now)


async def heard_from(update: Update, context: BotContext) -> None:
    """Someone who writes or presses a button can be reached, whatever an earlier 403 said.

    A push to a staff member or admin who has not yet opened the bot gets 403 ("can't initiate
    conversation"), which marks the chat blocked; without this their own first /start would go
    unanswered, because Telegram sends no "unblocked" update for a chat that was never blocked.
    """
    chat = update.effective_chat
    if chat is None or chat.type != "private" or update.my_chat_member is not None:
        return
    svc = context.svc
    if chat.id not in svc.send_path.blocked_chats:
        return
    svc.send_path.unblock(chat.id)
    async with svc.db.transaction() as session:
        await contacts.mark_unblocked(session, chat.id, svc.clock.now())
