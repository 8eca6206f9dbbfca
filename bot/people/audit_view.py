"""How /audit reads to an admin: who (by name), did what (in words, in their language), when
(in their time zone). The log stores stable codes; the words live here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_date, format_time, get_date_format, get_datetime_format

from bot.i18n import Translator, translator
from bot.periods import zone_info


def _labels(_: Translator) -> dict[str, Callable[[], str]]:
    """Code → its description; each a call so that only the one shown is translated."""
    return {
        "audit.read": lambda: _("read the audit log"),
        "campaign.list": lambda: _("listed the survey campaigns"),
        "campaign.send": lambda: _("sent a survey campaign"),
        "command.refused": lambda: _("tried a staff command without the right to"),
        "export.create": lambda: _("exported answers"),
        "export.refused": lambda: _("asked for an export that privacy did not allow"),
        "export.raw": lambda: _("took a raw export (admins only)"),
        "invite.create": lambda: _("created an invitation link"),
        "invite.list": lambda: _("listed the invitation links"),
        "invite.revoke": lambda: _("revoked an invitation link"),
        "jpat.action_done": lambda: _("marked a J-PAT action as done"),
        "jpat.close": lambda: _("closed a J-PAT round"),
        "jpat.consolidate": lambda: _("recorded the agreed J-PAT"),
        "jpat.consolidate_start": lambda: _("started recording the agreed J-PAT"),
        "jpat.history": lambda: _("read a J-PAT history"),
        "jpat.open": lambda: _("opened a J-PAT round"),
        "jpat.open_by_cadence": lambda: _("a J-PAT round opened on schedule"),
        "jpat.status": lambda: _("checked a J-PAT round's status"),
        "jpat.view": lambda: _("read a J-PAT comparison"),
        "jpat.view_refused": lambda: _("tried to read a J-PAT round before it closed"),
        "meeting.cancel": lambda: _("cancelled a meeting"),
        "meeting.create": lambda: _("scheduled a meeting"),
        "meeting.list": lambda: _("listed the meetings"),
        "meeting.reminders": lambda: _("changed a meeting's reminders"),
        "meeting.reschedule": lambda: _("rescheduled a meeting"),
        "meeting.view": lambda: _("read a meeting's answers"),
        "organisation.create": lambda: _("created an organisation"),
        "partnership.cadence": lambda: _("changed a partnership's J-PAT interval"),
        "partnership.create": lambda: _("created a partnership"),
        "partnership.list": lambda: _("listed the partnerships"),
        "partnership.member_add": lambda: _("added a colleague to a partnership"),
        "partnership.member_remove": lambda: _("removed a colleague from a partnership"),
        "partnership.stage": lambda: _("changed a partnership's stage"),
        "partnership.view": lambda: _("read a partnership"),
        "pending.nudge": lambda: _("nudged partners who had not answered"),
        "pending.read": lambda: _("listed who has not answered"),
        "reportback.figures": lambda: _("prepared a report-back"),
        "reportback.replies": lambda: _("read partners' replies to report-backs"),
        "reportback.send": lambda: _("sent a report-back to partners"),
        "safeguarding.delivered": lambda: _("a confidential report reached a focal point"),
        "safeguarding.list": lambda: _("listed open confidential reports"),
        "safeguarding.open": lambda: _("read a confidential report"),
        "safeguarding.reply": lambda: _("replied to a confidential report"),
        "safeguarding.handled": lambda: _("marked a confidential report as handled"),
        "safeguarding.focal_add": lambda: _("named a safeguarding focal point"),
        "safeguarding.focal_remove": lambda: _("removed a safeguarding focal point"),
        "safeguarding.focal_list": lambda: _("listed the safeguarding focal points"),
        "safeguarding.no_focal_point_notified": lambda: _(
            "admins were told that no safeguarding focal point is named"
        ),
        "staff.add": lambda: _("added a staff member"),
        "staff.invite": lambda: _("created a staff invitation link"),
        "staff.joined_by_link": lambda: _("joined the staff with a link"),
        "staff.remove": lambda: _("removed a staff member"),
        "summary.read": lambda: _("read a summary"),
        "summary.trend": lambda: _("read a trend by quarter"),
    }


def action_text(code: str, lang: str) -> str:
    """The action in words; a code this build does not know (an older one) as it is stored."""
    label = _labels(translator(lang)).get(code)
    return label() if label is not None else code


def when_text(at: datetime, lang: str, zone: str | None) -> str:
    """ "2 mars 2026, 14:05", "Mar 2, 2026, 2:05 PM": the locale's medium date (the month in
    words where the locale has them, never an ambiguous "3/2/26") and short time."""
    _ = translator(lang)
    local = at.astimezone(zone_info(zone))
    # Arabic's medium date is all digits: its long one names the month.
    width = "medium" if "MMM" in get_date_format("medium", locale=_.locale).pattern else "long"
    day = format_date(local.date(), width, locale=_.locale)
    clock = format_time(local, "short", locale=_.locale)
    pattern = str(get_datetime_format("medium", locale=_.locale))
    return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")


def entry_line(
    at: datetime,
    who: str,
    code: str,
    subject: str | None,
    refused: bool,
    lang: str,
    zone: str,
) -> str:
    _ = translator(lang)
    when = when_text(at, lang, zone)
    what = action_text(code, lang)
    if refused and code != "command.refused":
        what = _("{action} (refused)", action=what)
    line = f"{when} · {who} · {what}"
    return f"{line} · {subject}" if subject else line
