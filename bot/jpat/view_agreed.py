"""How the agreed J-PAT reads in chat: one statement while staff record it, the consolidated
record the partner side signs off, the agreed scores across rounds and the open actions.

Plain text, in the reader's language (see ``bot.jpat.view``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.i18n import translator
from bot.jpat.view import (
    FLAG,
    NONE,
    day,
    element_keys,
    element_label,
    element_of,
    item_code,
    item_keys,
    item_label,
    item_text,
    number,
    owner_name,
)
from conversations import Survey
from storage.jpat_figures import OpenAction, TrendPoint
from storage.jpat_rules import ItemFigures, overdue_and_upcoming
from storage.models import JpatItem, JpatRound

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
    overdue, upcoming = overdue_and_upcoming(actions, today)
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
