"""The command menu each person sees, in their language and for their role (setMyCommands)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, translator

log = logging.getLogger(__name__)


def commands_for(role: str, lang: str, *, focal_point: bool = False) -> list[BotCommand]:
    """``focal_point``: a named safeguarding focal point also gets /reports."""
    _ = translator(lang)
    if role == "stranger":
        return [
            BotCommand("start", _("Begin, or open an invitation")),
            BotCommand("help", _("What I can do")),
        ]
    menu = [
        BotCommand("surveys", _("Surveys waiting for you")),
        BotCommand("jpat", _("J-PAT partnership check-ins")),
        BotCommand("meetings", _("Upcoming meetings")),
        BotCommand("help", _("What I can do")),
        BotCommand("cancel", _("Stop what you are doing")),
        BotCommand("language", _("Change the language")),
        BotCommand("timezone", _("Change your time zone")),
        BotCommand("quiet", _("Hours without messages")),
        BotCommand("privacy", _("How funders see your answers")),
        BotCommand("mydata", _("A copy of your data")),
        BotCommand("forget", _("Delete your data")),
        BotCommand("stop", _("Stop reminders")),
        BotCommand("resume", _("Resume reminders")),
    ]
    if role in ("staff", "admin"):
        menu += [
            BotCommand("send", _("Send a survey")),
            BotCommand("campaigns", _("Surveys sent and response rates")),
            BotCommand("partnership", _("Create or edit a partnership")),
            BotCommand("meeting", _("Schedule a meeting")),
            BotCommand("summary", _("What partners said")),
            BotCommand("pending", _("Who has not answered")),
            BotCommand("export", _("Export answers")),
            BotCommand("share", _("Report back to partners")),
            BotCommand("invite", _("Invite a partner organisation")),
            BotCommand("invites", _("Invitations still open")),
        ]
    if role == "admin":
        menu += [
            BotCommand("staff", _("Manage staff")),
            BotCommand("audit", _("Recent staff actions")),
        ]
    if focal_point and role in ("staff", "admin"):
        menu.append(BotCommand("reports", _("Confidential reports (safeguarding)")))
    return menu


async def publish_command_menus(bot: Bot) -> None:
    """The menu for people the bot does not know yet, in every language we ship."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(commands_for("stranger", "en"), scope=scope)
    for lang in LANGUAGES:
        await bot.set_my_commands(commands_for("stranger", lang), scope=scope, language_code=lang)


async def publish_chat_menu(
    bot: Bot, chat_id: int, role: str, lang: str, *, focal_point: bool = False
) -> None:
    """One person's own menu; a failure here must not break the conversation."""
    try:
        scope = BotCommandScopeChat(chat_id)
        if role == "stranger":
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(
                commands_for(role, lang, focal_point=focal_point), scope=scope
            )
    except TelegramError as err:
        log.warning("could not set the menu for %s: %s", chat_id, err)
