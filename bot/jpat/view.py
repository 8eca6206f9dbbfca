"""How a J-PAT reads in chat: the survey's parts, small pieces, the side-by-side comparison.

Plain text (no markup, so partners' own words need no escaping), in the reader's language:
element and statement wording come from the J-PAT survey definition, everything around it from
the gettext catalogs. Long results are split by ``send_text``. The consolidated record and the
history are in ``bot.jpat.view_agreed``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n import Translator, translator
from conversations import Survey
from storage.jpat_figures import Average, OpenAnswer
from storage.jpat_rounds import SideCount
from storage.jpat_rules import ItemFigures
from storage.models import JpatRound

FLAG = "⚑"
NONE = "–"
_ITEM_KEY = re.compile(r"^e(\d+[a-z])$")


# ------------------------------------------------------------------------------ the survey's parts


def item_keys(survey: Survey) -> list[str]:
    """The rated statements, in questionnaire order (scale questions inside an element)."""
    return [q.key for q in survey.questions if q.type == "scale" and q.section]


def element_of(survey: Survey) -> dict[str, str]:
    """Statement key → element (section) key."""
    return {q.key: q.section for q in survey.questions if q.type == "scale" and q.section}


def element_keys(survey: Survey) -> list[str]:
    return [s.key for s in survey.sections]


def open_keys(survey: Survey) -> list[str]:
    return [q.key for q in survey.questions if q.type == "text"]


def item_code(key: str) -> str:
    """``e2b`` → ``2b``: element 2, statement b, as the toolkit numbers them."""
    match = _ITEM_KEY.match(key)
    return match.group(1) if match else key


def item_text(survey: Survey, key: str, lang: str) -> str:
    question = survey.question(key)
    return survey.text_for(question.text, lang) if question is not None else key


def item_label(survey: Survey, key: str, lang: str) -> str:
    return f"{item_code(key)} · {item_text(survey, key, lang)}"


def element_title(survey: Survey, key: str, lang: str) -> str:
    section = survey.section(key)
    return survey.text_for(section.title, lang) if section is not None else key


def element_label(survey: Survey, key: str, lang: str) -> str:
    position = survey.section_position(key)
    title = element_title(survey, key, lang)
    return f"{position[0]}. {title}" if position else title


# ------------------------------------------------------------------------------ small pieces


def number(value: float | None, _: Translator) -> str:
    return NONE if value is None else format_decimal(value, "#,##0.##", locale=_.locale)


def side_name(side: str, _: Translator) -> str:
    return _("NGO side") if side == "ngo" else _("Partner side")


def owner_name(owner: str | None, _: Translator) -> str:
    if owner == "ngo":
        return _("NGO side")
    if owner == "partner":
        return _("Partner side")
    return _("Both sides")


def day(value: date | datetime | None, _: Translator, zone: str = "UTC") -> str:
    if value is None:
        return NONE
    if isinstance(value, datetime):
        try:
            value = value.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            pass
    return format_date(value, "long", locale=_.locale)


def heading(name: str, round_: JpatRound, _: Translator) -> str:
    return _("J-PAT round {n} · {name}", n=round_.number, name=name)


def status_name(status: str, _: Translator) -> str:
    names = {
        "open": _("open for answers"),
        "closed": _("closed, waiting for the joint meeting"),
        "consolidated": _("agreed J-PAT sent to the partner side for confirmation"),
        "disputed": _("disputed by the partner side, back with the NGO team"),
        "final": _("final"),
    }
    return names.get(status, status)


# ------------------------------------------------------------------------------ comparison


def comparison_text(
    survey: Survey,
    *,
    name: str,
    round_: JpatRound,
    figures: Sequence[ItemFigures],
    averages: Mapping[tuple[str, str], Average],
    answers: Sequence[OpenAnswer],
    counts: Mapping[str, SideCount],
    lang: str,
    zone: str,
) -> str:
    """Both sides next to each other, statement by statement, largest gaps first."""
    _ = translator(lang)
    ngo, partner = counts["ngo"], counts["partner"]
    parts = [
        heading(name, round_, _),
        _(
            "Closed on {date}. Answers: NGO side {ngo} of {ngo_total}, partner side {partner} of {partner_total}.",
            date=day(round_.closed_at, _, zone),
            ngo=ngo.submitted,
            ngo_total=ngo.members,
            partner=partner.submitted,
            partner_total=partner.members,
        ),
    ]
    missing = [side_name(s, _) for s in ("ngo", "partner") if counts[s].submitted == 0]
    if missing:
        parts.append(
            _(
                "{side}: no answers before the deadline, so there is nothing to compare with for now.",
                side=", ".join(missing),
            )
        )
    parts.append(
        _(
            "Median per statement (n = number of answers; “don't know” is not counted). "
            "Largest gaps first. {flag} = to discuss: the sides are 1.5 or more apart, "
            "or someone rated 2 or lower.",
            flag=FLAG,
        )
    )
    for item in figures:
        mark = f"{FLAG} " if item.flagged else ""
        parts.append(
            f"{mark}{item_label(survey, item.key, lang)}\n"
            + _(
                "NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}",
                ngo=number(item.ngo.median, _),
                ngo_n=item.ngo.n,
                partner=number(item.partner.median, _),
                partner_n=item.partner.n,
                gap=number(item.gap, _),
            )
        )
    lines = [_("Average per element (NGO side · partner side):")]
    for element in element_keys(survey):
        ngo_avg = averages.get(("ngo", element))
        partner_avg = averages.get(("partner", element))
        lines.append(
            f"{element_label(survey, element, lang)}: "
            f"{number(ngo_avg.value if ngo_avg else None, _)} · "
            f"{number(partner_avg.value if partner_avg else None, _)}"
        )
    parts.append("\n".join(lines))
    for side in ("ngo", "partner"):
        parts.append(_open_answers_text(survey, side, answers, lang))
    return _.paragraphs(*parts)


def _open_answers_text(survey: Survey, side: str, answers: Sequence[OpenAnswer], lang: str) -> str:
    _ = translator(lang)
    order = {key: i for i, key in enumerate(open_keys(survey))}
    mine = sorted(
        (a for a in answers if a.side == side), key=lambda a: order.get(a.key, len(order))
    )
    title = _("What the NGO side wrote:") if side == "ngo" else _("What the partner side wrote:")
    if not mine:
        return "\n".join([title, _("No answers.")])
    lines = [title]
    current = None
    for answer in mine:
        if answer.key != current:
            current = answer.key
            question = survey.question(answer.key)
            lines.append(survey.text_for(question.text, lang) if question else answer.key)
        if answer.text:
            lines.append(f"• {answer.text}")
        else:
            lines.append(
                "• "
                + _.ngettext(
                    "🎤 a voice message ({n} second)",
                    "🎤 a voice message ({n} seconds)",
                    answer.voice_duration or 0,
                )
            )
    return "\n".join(lines)


def chart_series(
    survey: Survey, averages: Mapping[tuple[str, str], Average], lang: str
) -> tuple[list[str], list[float | None], list[float | None]]:
    """Element titles and each side's average, for ``charts.jpat_comparison_chart``."""
    elements = element_keys(survey)
    titles = [element_label(survey, e, lang) for e in elements]

    def values(side: str) -> list[float | None]:
        return [averages[(side, e)].value if (side, e) in averages else None for e in elements]

    return titles, values("ngo"), values("partner")
