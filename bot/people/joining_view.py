"""How joining reads: a link that does not work, the consent screen, the attribution question
and the welcome at the end."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.access import Person
from bot.i18n import translator
from bot.keyboards import button, grid
from bot.people.view import attribution_keyboard, help_text
from storage.invites import InviteProblem


def problem_text(problem: InviteProblem, lang: str) -> str:
    _ = translator(lang)
    if problem == InviteProblem.EXPIRED:
        first = _("This invitation link has expired.")
    elif problem == InviteProblem.USED_UP:
        first = _("This invitation link has already been used as many times as allowed.")
    elif problem == InviteProblem.REVOKED:
        first = _("This invitation link has been withdrawn.")
    else:
        first = _("I don't recognise this invitation link.")
    return _.paragraphs(
        first,
        _("Please ask the person who invited you to send you a new link."),
    )


def no_link_text(lang: str) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("Hello! I am the partnership feedback assistant of our NGO."),
        _(
            "To join, you need an invitation link from the NGO team. "
            "Please ask the person who works with your organisation to send it to you."
        ),
    )


def known_person_text(person: Person, *, first: bool, token: str | None) -> str:
    """/start from someone already known: a first welcome for staff and admins, or "Welcome
    back"; a link they no longer need."""
    _ = translator(person.lang)
    parts = []
    if first:
        parts.append(
            _("Welcome! You are an admin of this bot.")
            if person.is_admin
            else _("Welcome to the team! You are now registered as staff.")
        )
    if token:
        parts.append(_("You're already set up, so there is nothing more to do with this link."))
    elif not first:
        parts.append(_("Welcome back!"))
    return _.paragraphs(*parts, help_text(person))


def staff_welcome_text(lang: str, staff: Person) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("Welcome to the team! You are now registered as staff."),
        help_text(staff),
    )


def consent_question(code: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(code)
    text = _.paragraphs(
        _("Before we start, here is how we look after your information."),
        _(
            "What we store: your answers, your name as shown in Telegram, your language and your time zone."
        ),
        _(
            "Who sees it: the NGO staff who work with your organisation. Funders only see "
            "your answers in the way you choose in the next steps."
        ),
        _(
            "Your control: send /mydata at any time to get a copy of everything we store "
            "about you, /forget to delete it, and /stop to stop reminders."
        ),
        _("Do you agree?"),
    )
    keyboard = grid(
        [
            button(_("I agree"), callbacks.data("ob", "consent", "yes")),
            button(_("Not now"), callbacks.data("ob", "consent", "no")),
        ]
    )
    return text, keyboard


def declined_text(lang: str) -> str:
    _ = translator(lang)
    return _(
        "No problem. I keep only the language you chose, for a week, so that I can "
        "answer you in it; nothing else about you is stored. When you are ready, open "
        "the invitation link again, or send /start."
    )


def still_declined_text(lang: str) -> str:
    _ = translator(lang)
    return _(
        "You have not agreed to how we look after your information, so I have "
        "nothing to show you yet. When you are ready, send /start."
    )


def attribution_question(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    _ = translator(lang)
    text = _.paragraphs(
        _(
            "One last question. When the NGO reports to its funders, may it name your organisation next to your answers?"
        ),
        _(
            "If you say no, your answers are only used in totals together with other partners. You can change this later with /privacy."
        ),
    )
    return text, attribution_keyboard(_, "ob")


def welcome_text(person: Person, lang: str, name: str) -> str:
    _ = translator(lang)
    return _.paragraphs(
        _("You're all set, {name}! Thank you.", name=name),
        _("What to expect from me:"),
        "\n".join(
            [
                _("• short surveys about our partnership, a few times a year;"),
                _("• J-PAT check-ins, where each side rates the partnership on its own;"),
                _("• reminders before review meetings."),
            ]
        ),
        help_text(person),
    )
