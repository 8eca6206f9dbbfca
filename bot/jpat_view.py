"""How a J-PAT reads in chat: the side-by-side comparison, the consolidated record, the history.

Plain text (no markup, so partners' own words need no escaping), in the reader's language:
element and statement wording come from the J-PAT survey definition, everything around it from
the gettext catalogs. Long results are split by ``send_text``.
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
from storage.jpat import Average, ItemFigures, OpenAction, OpenAnswer, SideCount, TrendPoint
from storage.models import JpatItem, JpatRound

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


# ------------------------------------------------------------------------------ consolidation


def item_card(
    survey: Survey,
    figure: ItemFigures,
    *,
    position: int,
    total: int,
    current: JpatItem | None,
    lang: str,
) -> str:
    """One statement while staff record the agreed J-PAT."""
    _ = translator(lang)
    mark = f"{FLAG} " if figure.flagged else ""
    lines = [
        _("Statement {n} of {total}", n=position, total=total),
        f"{mark}{item_label(survey, figure.key, lang)}",
        _(
            "NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}",
            ngo=number(figure.ngo.median, _),
            ngo_n=figure.ngo.n,
            partner=number(figure.partner.median, _),
            partner_n=figure.partner.n,
            gap=number(figure.gap, _),
        ),
    ]
    if current is not None and current.agreed_score is not None:
        lines.append(_("Recorded so far: {score}", score=current.agreed_score))
    lines.append("")
    lines.append(_("Which score did both sides agree on at the joint meeting?"))
    return "\n".join(lines)


def action_line(survey: Survey, item: JpatItem | OpenAction, lang: str) -> str:
    _ = translator(lang)
    key = item.item_key if isinstance(item, JpatItem) else item.key
    text = item.action_text if isinstance(item, JpatItem) else item.text
    owner = item.action_owner if isinstance(item, JpatItem) else item.owner
    due = item.action_due if isinstance(item, JpatItem) else item.due
    return _(
        "{item}: {action} — {owner}, due {date}",
        item=item_code(key),
        action=text or "",
        owner=owner_name(owner, _),
        date=day(due, _),
    )


def consolidation_text(
    survey: Survey,
    *,
    name: str,
    round_: JpatRound,
    items: Mapping[str, JpatItem],
    lang: str,
) -> str:
    """The agreed J-PAT: score per statement, element by element, then the actions."""
    _ = translator(lang)
    parts = [
        _("Consolidated J-PAT · round {n} · {name}", n=round_.number, name=name),
        _(
            "The scores both sides agreed on at the joint meeting "
            "(1 = strongly disagree, 5 = strongly agree)."
        ),
    ]
    by_element: dict[str, list[str]] = {}
    for key, element in element_of(survey).items():
        item = items.get(key)
        score = str(item.agreed_score) if item and item.agreed_score is not None else NONE
        by_element.setdefault(element, []).append(
            f"• {item_code(key)}: {score}/5 · {item_text(survey, key, lang)}"
        )
    for element in element_keys(survey):
        parts.append(
            "\n".join([element_label(survey, element, lang), *by_element.get(element, [])])
        )
    actions = [item for key in item_keys(survey) if (item := items.get(key)) and item.action_text]
    if actions:
        parts.append(
            "\n".join(
                [_("Agreed actions:")]
                + [f"• {action_line(survey, item, lang)}" for item in actions]
            )
        )
    else:
        parts.append(_("No actions were agreed."))
    return _.paragraphs(*parts)


# ------------------------------------------------------------------------------ history


def trend_series(
    survey: Survey, trend: Sequence[TrendPoint], lang: str
) -> tuple[list[int], dict[str, list[float | None]]]:
    """Round numbers, and per element its agreed average in each round (None if missing)."""
    rounds = sorted({p.number for p in trend})
    found = {(p.number, p.element): p.average for p in trend}
    return rounds, {
        element: [found.get((n, element)) for n in rounds] for element in element_keys(survey)
    }


def history_text(
    survey: Survey,
    *,
    name: str,
    trend: Sequence[TrendPoint],
    actions: Sequence[OpenAction],
    today: date,
    lang: str,
) -> str:
    _ = translator(lang)
    parts = [_("J-PAT history · {name}", name=name)]
    rounds, per_element = trend_series(survey, trend, lang)
    if rounds:
        lines = [
            _(
                "Agreed score per element, round by round ({rounds}):",
                rounds=" → ".join(str(n) for n in rounds),
            )
        ]
        for element, values in per_element.items():
            lines.append(
                f"{element_label(survey, element, lang)}: "
                + " → ".join(number(v, _) for v in values)
            )
        parts.append("\n".join(lines))
    else:
        parts.append(_("No J-PAT round has been confirmed yet."))
    overdue = [a for a in actions if a.due is not None and a.due < today]
    upcoming = [a for a in actions if a not in overdue]
    if overdue:
        parts.append(
            "\n".join(
                [_("Overdue actions:")]
                + [
                    "⚠ " + _("round {n}", n=a.round_number) + f" · {action_line(survey, a, lang)}"
                    for a in overdue
                ]
            )
        )
    if upcoming:
        parts.append(
            "\n".join(
                [_("Open actions:")]
                + [
                    "• " + _("round {n}", n=a.round_number) + f" · {action_line(survey, a, lang)}"
                    for a in upcoming
                ]
            )
        )
    if not actions:
        parts.append(_("No open actions."))
    return _.paragraphs(*parts)
