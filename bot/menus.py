"""The command menu each person sees, per language (and, with onboarding, per role)."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats

from bot.i18n import LANGUAGES, translator


def partner_commands(lang: str) -> list[BotCommand]:
    _ = translator(lang)
    return [
        BotCommand("help", _("What I can do")),
        BotCommand("start", _("Begin, or open an invitation")),
    ]


async def publish_command_menus(bot: Bot) -> None:
    """Menus for everyone, in every language we ship; Telegram picks by the app's language."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(partner_commands("en"), scope=scope)
    for lang in LANGUAGES:
        await bot.set_my_commands(partner_commands(lang), scope=scope, language_code=lang)
