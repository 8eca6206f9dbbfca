"""How /help and a person's own settings read: the command list, its buttons, and the questions
for language, time zone, quiet hours and attribution (asked while joining, with the ``ob``
buttons, and again from the settings, with the ``set`` buttons)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot import callbacks, countries, timezones
from bot.access import Person
from bot.i18n import Translator, language_choices, translator
from bot.keyboards import button, column, grid
from bot.quiet import PRESETS

# ---------------------------------------------------------------- help


def help_text(person: Person) -> str:
    _ = translator(person.lang)
    lines = [_("/help - what I can do")]
    if person.role == "stranger":
        lines.append(_("/start - begin, or open an invitation link"))
        return _.paragraphs(_("You can use these commands:"), "\n".join(lines))
    lines += [
        _("/surveys - surveys waiting for your answers"),
        _("/jpat - your J-PAT partnership check-ins"),
        _("/meetings - your upcoming meetings, and your answer to each"),
        _("/cancel - stop what you are doing now (answers are kept)"),
        _("/language - change the language"),
        _("/timezone - change your time zone"),
        _("/quiet - hours when I should not message you"),
        _("/privacy - how your answers may be shown to funders"),
        _("/mydata - get a copy of everything stored about you"),
        _("/forget - delete your personal data"),
        _("/stop - stop reminders and surveys · /resume - start them again"),
    ]
    parts = [_("You can use these commands:"), "\n".join(lines)]
    if person.is_staff:
        staff_lines = [
            _("/invite - invite a partner organisation"),
            _("/invites - invitations still open, and revoking them"),
            _("/send - send a survey to partners"),
            _(
                "/surveys import - a new survey from an XLSForm (KoBo, ODK, Excel) · "
                "/surveys export - a survey as an XLSForm"
            ),
            _("/campaigns - surveys sent and their response rates"),
            _("/partnership - create or edit a partnership"),
            _("/jpat - open, view, consolidate and follow J-PAT rounds"),
            _("/meeting - schedule a review meeting · /meetings - upcoming meetings"),
            _("/summary - what partners said, with a chart"),
            _("/pending - who has not answered yet, and a reminder"),
            _("/export - answers as a CSV or Excel file"),
            _("/share - report back to partners what was heard"),
            _("/reports - confidential reports (safeguarding focal points only)"),
        ]
        if person.is_admin:
            staff_lines += [
                _("/staff add|remove|list - manage staff"),
                _("/staff safeguarding add|remove - name safeguarding focal points"),
                _("/audit - recent staff actions"),
            ]
        parts += [_("Staff commands:"), "\n".join(staff_lines)]
    return _.paragraphs(*parts)


def help_keyboard(person: Person) -> InlineKeyboardMarkup | None:
    if person.role == "stranger":
        return None
    _ = translator(person.lang)
    stopped = person.contact is not None and person.contact.stopped_at is not None
    return grid(
        [
            button(_("Language"), callbacks.data("help", "language")),
            button(_("Time zone"), callbacks.data("help", "timezone")),
            button(_("Quiet hours"), callbacks.data("help", "quiet")),
            button(_("Privacy"), callbacks.data("help", "privacy")),
            button(_("My data"), callbacks.data("help", "mydata")),
            button(_("Delete my data"), callbacks.data("help", "forget")),
            button(
                _("Resume reminders") if stopped else _("Stop reminders"),
                callbacks.data("help", "resume" if stopped else "stop"),
            ),
        ],
        2,
    )


def not_joined_text(lang: str) -> str:
    _ = translator(lang)
    return _(
        "I don't have you registered yet. To join, please ask the NGO team for an invitation link."
    )


def buttons_expected_text(lang: str) -> str:
    """A message while a button is expected: say what we are waiting for."""
    _ = translator(lang)
    return _("Please choose one of the buttons above, or send /help.")


# ---------------------------------------------------------------- the questions


def language_keyboard(area: str, first: str | None) -> InlineKeyboardMarkup:
    """Every language, two a row, ``first`` (a Telegram or chosen language) at the top."""
    buttons = [
        button(name, callbacks.data(area, "lang", code)) for code, name in language_choices(first)
    ]
    return grid(buttons, 2)


def attribution_keyboard(_: Translator, area: str) -> InlineKeyboardMarkup:
    return column(
        [
            button(_("Yes, you may name us"), callbacks.data(area, "attr", "yes")),
            button(_("No, only in totals"), callbacks.data(area, "attr", "no")),
        ]
    )


def zone_question(
    lang: str, country: str | None, zones: list[str], now: datetime, area: str
) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    buttons = [button(timezones.label(z, lang, now), callbacks.data(area, "tz", z)) for z in zones]
    buttons.append(button(_.pgettext("time zone", "Other"), callbacks.data(area, "tz", "other")))
    text = _("Which time zone are you in? I use it so that reminders reach you at a sensible hour.")
    if country:
        text = _.paragraphs(
            text, _("Time zones for {country}:", country=countries.name(country, lang))
        )
    text = _.paragraphs(text, _("Or type the name of your city."))  # taken at once, anywhere
    return text, column(buttons)


def typed_zone_question(lang: str) -> str:
    _ = translator(lang)
    return _("Please type the name of your city, for example Nairobi, Kampala or Amman.")


def zone_not_found(
    lang: str, text: str, found: timezones.Found, now: datetime, area: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What to say when typed text names no one zone: which place is meant, a few
    suggestions, or ask again."""
    _ = translator(lang)
    if found.choices:  # "عمان": Amman in Jordan, or Oman? Ask, naming each country.
        buttons = [
            button(timezones.place_label(z, lang, now), callbacks.data(area, "tz", z))
            for z in found.choices
        ]
        question = (
            _("Time zones for {country}:", country=countries.name(found.country, lang))
            if found.country
            else _('"{text}" can mean more than one place. Which one do you mean?', text=text[:60])
        )
        return question, column(buttons)
    if found.suggestions:
        buttons = [
            button(timezones.label(z, lang, now), callbacks.data(area, "tz", z))
            for z in found.suggestions
        ]
        return _(
            'I couldn\'t find "{text}". Did you mean one of these? Or type the name again.',
            text=text[:60],
        ), column(buttons)
    return _(
        'I couldn\'t find "{text}". Please type a big city near you, for example Kampala, Beirut or Bogota.',
        text=text[:60],
    ), None


def quiet_question(lang: str, start: str, end: str, area: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    text = _(
        "I will not send you reminders between {start} and {end} your time. Is that right?",
        start=start,
        end=end,
    )
    buttons = [
        button(
            _("Yes, keep {start}–{end}", start=start, end=end),
            callbacks.data(area, "quiet", f"{start}-{end}"),
        )
    ]
    buttons += [
        button(f"{a}–{b}", callbacks.data(area, "quiet", f"{a}-{b}"))
        for a, b in PRESETS
        if (a, b) != (start, end)
    ]
    buttons.append(button(_("Choose other hours"), callbacks.data(area, "quiet", "other")))
    return text, column(buttons)


def typed_quiet_question(lang: str) -> str:
    _ = translator(lang)
    return _("Please type when your quiet hours start and end, for example 22:00-07:00.")


def quiet_not_read(lang: str) -> str:
    _ = translator(lang)
    return _(
        "I couldn't read that. Please type a start time and an end time, for example 22:00-07:00."
    )
