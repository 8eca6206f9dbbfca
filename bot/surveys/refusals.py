"""What was expected, said to a partner whose answer was refused, in their language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.i18n import translator
from bot.surveys.view import date_text, number_text
from conversations import Refusal
from conversations.dates import example as date_example


def refusal_text(refusal: Refusal, lang: str) -> str:
    """What was expected, in the partner's language (the survey's own message if it has one)."""
    if refusal.custom:
        custom = _pick(refusal.custom, lang)
        if custom:
            return custom
    _ = translator(lang)
    p: Mapping[str, object] = refusal.params
    code = refusal.code

    def num(name: str) -> str:
        value = p.get(name)
        if isinstance(value, (int, float)):
            return number_text(value, _)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            return date_text(value, _)
        return str(value)

    if code == "integer_expected":
        return _("Please type a whole number, for example 25.")
    if code == "decimal_expected":
        return _("Please type a number, for example 12.5.")
    if code == "number_ambiguous":
        return _(
            "Did you mean {a} or {b}? Please type the number again without separators, for example 1200 or 1.2.",
            a=num("as_thousands"),
            b=num("as_decimal"),
        )
    if code in ("out_of_range", "scale_expected", "date_out_of_range"):
        if "min" in p and "max" in p:
            return _("Please give a value from {min} to {max}.", min=num("min"), max=num("max"))
        if "min" in p:
            return _("Please give a value of at least {min}.", min=num("min"))
        if "max" in p:
            return _("Please give a value of at most {max}.", max=num("max"))
        return _("That value is not possible here. Please try again.")
    if code == "too_long":
        return _("That is too long: please keep it under {max} characters.", max=num("max_length"))
    if code == "choice_unknown":
        return _("Please choose one of the buttons, or type its number.")
    if code == "too_few_selections":
        n = int(p.get("min", 1) or 1)
        return _.ngettext(
            "Please choose at least {n} answer.", "Please choose at least {n} answers.", n
        )
    if code == "too_many_selections":
        n = int(p.get("max", 1) or 1)
        return _.ngettext(
            "Please choose at most {n} answer.", "Please choose at most {n} answers.", n
        )
    if code == "yes_no_expected":
        return _("Please answer yes or no: you can use the buttons.")
    if code == "date_expected":
        shown = p.get("example")
        return _(
            "Please type a date, for example {example}.",
            example=shown if isinstance(shown, str) else date_example(_.lang, dt.date.today()),
        )
    if code == "required":
        return _("This question needs an answer before we go on.")
    if code == "dont_know_not_allowed":
        return _("Please choose one of the answers.")
    if code == "voice_not_allowed":
        return _("This question needs a typed answer, not a voice message.")
    if code == "at_start":
        return _("This is the first question.")
    if code == "screen_incomplete":
        return _("Please rate every statement on this screen first.")
    if code == "screen_use_buttons":
        return _("To change an answer on this screen, press the new rating beside the statement.")
    if code == "not_on_screen":
        return _("This question was already answered. Your answers are safe.")
    if code == "empty":
        return _("Please type an answer.")
    return _("Please use the buttons, or type your answer.")


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
