"""Issue item 5 in storage: /forget erases a person's words and their place in every list,
and keeps the numbers and choices the privacy threshold protects (SQLite, and PostgreSQL when
``PARTNERBOT_TEST_DATABASE_URL`` is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage import contacts, meeting_answers, meetings, partnerships, pending, surveys
from storage.contacts import REMOVED
from storage.db import Database
from storage.models import (
    AnswerRow,
    AuditEntry,
    Campaign,
    ChatFlow,
    Contact,
    Delivery,
    JpatRound,
    JpatSignoff,
    Meeting,
    MeetingRsvp,
    Organisation,
    PartnershipMember,
    ReportBack,
    ReportBackReply,
    Response,
)

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
PHONE = "+254 712 345 678"
WORDS = f"The officer shouts at us. Call me on {PHONE}"
DEFINITION = {
    "id": "pulse",
    "questions": [
        {"key": "satisfaction", "type": "scale"},
        {"key": "consulted", "type": "single_choice"},
        {"key": "helped", "type": "yes_no"},
        {"key": "staff", "type": "integer"},
        {"key": "improve", "type": "text"},
        {"key": "story", "type": "text", "allow_voice": True},
        {"key": "skipped_text", "type": "text"},
    ],
}
# key -> (status, value_num, value_text, choice_codes, raw_text, voice)
GIVEN: dict[str, tuple[Any, ...]] = {
    "satisfaction": ("answered", 4.0, None, None, "4", None),
    "consulted": ("answered", None, "often", ["often"], None, None),
    "helped": ("answered", None, "yes", None, None, None),
    "staff": ("answered", 12.0, None, None, f"12, ring {PHONE}", None),
    "improve": ("answered", None, WORDS, None, WORDS, None),
    "story": ("answered", None, None, None, None, "voice-file-id"),
    "skipped_text": ("skipped", None, None, None, None, None),
}


async def _person(session: Any, org_id: int, telegram_id: int, name: str, role: str) -> Contact:
    contact = Contact(
        telegram_user_id=telegram_id,
        display_name=name,
        organisation_id=org_id if role == "partner" else None,
        role=role,
        status="active",
        consent_at=NOW,
        attribution="attributed",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(contact)
    await session.flush()
    return contact


async def _seed(db: Database) -> dict[str, int]:
    """Grace (to be forgotten) and Amina in one organisation, with answers, a partnership, a
    meeting, a disputed J-PAT round, a report-back comment and a push not sent yet."""
    async with db.transaction() as session:
        org = Organisation(name="Hope RLO", country="KE", created_at=NOW)
        session.add(org)
        await session.flush()
        grace = await _person(session, org.id, 7001, "Grace", "partner")
        amina = await _person(session, org.id, 7002, "Amina", "partner")
        staff = await _person(session, org.id, 7003, "Sam", "staff")
        version = await surveys.register_version(
            session, survey_id="pulse", version=1, fingerprint="f", definition=DEFINITION, now=NOW
        )
        campaign = Campaign(
            survey_id="pulse",
            survey_version_id=version,
            audience_kind="all",
            due_at=NOW + timedelta(days=14),
            created_at=NOW,
        )
        session.add(campaign)
        await session.flush()
        ids = {"grace": grace.id, "amina": amina.id, "campaign": campaign.id, "org": org.id}
        for who, status in ((grace, "completed"), (amina, "in_progress")):
            response = await surveys.create_response(
                session,
                survey_id="pulse",
                survey_version_id=version,
                contact_id=who.id,
                organisation_id=org.id,
                language="en",
                now=NOW,
                campaign_id=campaign.id,
                status=status,
            )
            ids[f"{who.display_name}_response"] = response.id
        for key, (status, num, text, codes, raw, voice) in GIVEN.items():
            await surveys.save_answer(
                session,
                response_id=ids["Grace_response"],
                key=key,
                status=status,
                value_num=num,
                value_text=text,
                choice_codes=codes,
                raw_text=raw,
                voice_file_id=voice,
                voice_duration=40 if voice else None,
                language="en",
                now=NOW,
            )
        open_one = await surveys.create_response(
            session,
            survey_id="pulse",
            survey_version_id=version,
            contact_id=grace.id,
            organisation_id=org.id,
            language="en",
            now=NOW,
            status="invited",
        )
        ids["open_response"] = open_one.id
        partnership = await partnerships.create(
            session,
            organisation_id=org.id,
            start_date=None,
            stage="ongoing",
            cadence="quarterly",
            created_by=staff.id,
            now=NOW,
        )
        ids["partnership"] = partnership.id
        invitees = await meetings.current_members(session, partnership.id)
        meeting = await meetings.create(
            session,
            partnership_id=partnership.id,
            kind="quarterly",
            starts_at=NOW + timedelta(days=3),
            organiser_timezone="UTC",
            organiser_telegram_id=7003,
            created_by=staff.id,
            place=None,
            agenda=None,
            reminder_offsets=[],
            members=invitees,
            now=NOW,
        )
        ids["meeting"] = meeting.id
        await meeting_answers.set_answer(session, meeting.id, grace.id, "attending", NOW)
        round_ = JpatRound(
            partnership_id=partnership.id,
            number=1,
            status="disputed",
            survey_version_id=version,
            opened_at=NOW,
            deadline=NOW,
            dispute_comment=WORDS,
        )
        session.add(round_)
        await session.flush()
        ids["round"] = round_.id
        session.add(
            JpatSignoff(
                round_id=round_.id, contact_id=grace.id, decision="disputed", comment=WORDS, at=NOW
            )
        )
        report = ReportBack(survey_id="pulse", survey_version_id=version, figures={})
        session.add(report)
        await session.flush()
        session.add_all(
            [
                ReportBackReply(
                    report_back_id=report.id, contact_id=grace.id, kind="comment", text=WORDS
                ),
                ReportBackReply(
                    report_back_id=report.id, contact_id=grace.id, kind="reaction", value="up"
                ),
                Delivery(
                    kind="nudge",
                    contact_id=grace.id,
                    due_at=NOW,
                    dedupe_key="nudge:test",
                    campaign_id=campaign.id,
                ),
            ]
        )
    return ids


async def _forget(db: Database, contact_id: int) -> contacts.Kept:
    async with db.transaction() as session:
        contact = await session.get(Contact, contact_id)
        assert contact is not None
        return await contacts.forget(session, contact, NOW + timedelta(hours=1))


async def _answers(db: Database, response_id: int) -> dict[str, AnswerRow]:
    async with db.sessions() as session:
        rows = await session.scalars(select(AnswerRow).where(AnswerRow.response_id == response_id))
        return {row.question_key: row for row in rows}


async def _everything_said(db: Database) -> str:
    """Every text column that can hold a person's words, as one string."""
    async with db.sessions() as session:
        parts: list[Any] = []
        for column in (
            AnswerRow.value_text,
            AnswerRow.raw_text,
            JpatRound.dispute_comment,
            JpatSignoff.comment,
            ReportBackReply.text,
        ):
            parts += list(await session.scalars(select(column)))
    return "\n".join(str(p) for p in parts if p is not None)


async def test_forget_erases_words_and_keeps_numbers_and_choices(db: Database) -> None:
    ids = await _seed(db)
    async with db.sessions() as session:
        before = await contacts.what_forgetting_keeps(session, ids["grace"])
    assert before == contacts.Kept(answers=4, words=2)  # a skipped text holds no words
    assert PHONE in await _everything_said(db)

    kept = await _forget(db, ids["grace"])

    assert kept == before
    said = await _everything_said(db)
    assert PHONE not in said and "shouts" not in said
    rows = await _answers(db, ids["Grace_response"])
    assert (rows["satisfaction"].value_num, rows["staff"].value_num) == (4.0, 12.0)
    assert (rows["consulted"].value_text, rows["consulted"].choice_codes) == ("often", ["often"])
    assert rows["helped"].value_text == "yes"
    assert rows["improve"].value_text == REMOVED and rows["improve"].raw_text == REMOVED
    assert rows["staff"].raw_text == REMOVED and rows["satisfaction"].raw_text == REMOVED
    assert rows["story"].value_text == REMOVED
    assert (rows["story"].voice_file_id, rows["story"].voice_duration) == (None, None)
    assert (rows["skipped_text"].status, rows["skipped_text"].value_text) == ("skipped", None)
    async with db.sessions() as session:
        round_ = await session.get(JpatRound, ids["round"])
        assert round_ is not None and round_.dispute_comment == REMOVED
        reaction = await session.scalar(
            select(ReportBackReply.value).where(ReportBackReply.kind == "reaction")
        )
        assert reaction == "up"  # a choice, shown only as a count


async def test_forget_keeps_them_counted_once_and_never_attributed(db: Database) -> None:
    ids = await _seed(db)
    await _forget(db, ids["grace"])
    async with db.sessions() as session:
        contact = await session.get(Contact, ids["grace"])
        responses = list(
            await session.scalars(select(Response).where(Response.contact_id == ids["grace"]))
        )
    assert contact is not None
    assert (contact.telegram_user_id, contact.display_name, contact.consent_at) == (None,) * 3
    assert contact.attribution == "aggregate" and contact.status == "forgotten"
    # Both responses still point at the one anonymous id, so summaries count one person.
    assert {r.id for r in responses} == {ids["Grace_response"], ids["open_response"]}
    assert {r.organisation_id for r in responses} == {ids["org"]}
    statuses = {r.id: r.status for r in responses}
    assert statuses[ids["Grace_response"]] == "completed"  # the totals stay right
    assert statuses[ids["open_response"]] == "expired"  # never left waiting for them


async def test_forget_takes_them_off_every_list(db: Database) -> None:
    ids = await _seed(db)
    await _forget(db, ids["grace"])
    async with db.sessions() as session:
        members = await partnerships.members(session, ids["partnership"])
        member_rows = await session.scalar(
            select(func.count()).where(PartnershipMember.contact_id == ids["grace"])
        )
        rsvps = await session.scalar(
            select(func.count()).where(MeetingRsvp.contact_id == ids["grace"])
        )
        attendance = await meeting_answers.answers(session, ids["meeting"])
        progress = await pending.progress(session, pending.Target("campaign", ids["campaign"]))
        delivery = await session.scalar(select(Delivery).where(Delivery.dedupe_key == "nudge:test"))
        meeting = await session.get(Meeting, ids["meeting"])
    assert ids["grace"] not in {c.id for c, _side in members}
    assert all(c.display_name for c, _side in members)  # nobody shown as "(no name)"
    assert member_rows == 0 and rsvps == 0
    assert ids["grace"] not in {a.contact_id for a in attendance}
    assert meeting is not None
    # /pending: only Amina, in the totals and in the list; Grace's completed row is gone too.
    assert (progress.total, progress.completed) == (1, 0)
    assert [w.name for w in progress.waiting] == ["Amina"]
    assert delivery is not None and delivery.state == "cancelled"


async def test_forgetting_twice_changes_nothing_more(db: Database) -> None:
    ids = await _seed(db)
    first = await _forget(db, ids["grace"])
    said = await _everything_said(db)
    async with db.sessions() as session:
        forgotten_at = (await session.get(Contact, ids["grace"])).forgotten_at  # type: ignore[union-attr]
    second = await _forget(db, ids["grace"])
    assert second == first
    assert await _everything_said(db) == said
    async with db.sessions() as session:
        contact = await session.get(Contact, ids["grace"])
    assert contact is not None and contact.forgotten_at == forgotten_at


async def test_forgetting_one_person_leaves_the_others_words_alone(db: Database) -> None:
    ids = await _seed(db)
    async with db.transaction() as session:
        await surveys.save_answer(
            session,
            response_id=ids["Amina_response"],
            key="improve",
            status="answered",
            value_num=None,
            value_text="Shorter forms",
            choice_codes=None,
            raw_text="Shorter forms",
            voice_file_id=None,
            voice_duration=None,
            language="en",
            now=NOW,
        )
    await _forget(db, ids["grace"])
    rows = await _answers(db, ids["Amina_response"])
    assert (rows["improve"].value_text, rows["improve"].raw_text) == ("Shorter forms",) * 2
    async with db.sessions() as session:
        amina = await session.get(Contact, ids["amina"])
    assert amina is not None and amina.display_name == "Amina"


async def test_forget_drops_every_other_link_to_their_telegram_account(db: Database) -> None:
    ids = await _seed(db)
    async with db.transaction() as session:
        session.add(ChatFlow(telegram_user_id=7001, flow="jpat", step="dispute", data={"t": WORDS}))
        session.add(AuditEntry(actor_telegram_id=7001, actor_contact_id=ids["grace"], action="x"))
        session.add(AuditEntry(actor_telegram_id=7003, action="meeting.view"))
    await _forget(db, ids["grace"])
    async with db.sessions() as session:
        assert await session.get(ChatFlow, 7001) is None
        actors = set(await session.scalars(select(AuditEntry.actor_telegram_id)))
    assert 7001 not in actors and 7003 in actors  # staff actions stay accountable


async def test_a_forgotten_staff_member_leaves_the_staff_and_their_meetings(db: Database) -> None:
    ids = await _seed(db)
    async with db.transaction() as session:
        sam = await contacts.by_telegram_id(session, 7003)
        assert sam is not None
        await contacts.forget(session, sam, NOW)
    async with db.sessions() as session:
        staff = await contacts.staff(session)
        meeting = await session.get(Meeting, ids["meeting"])
        ngo_side = await partnerships.members(session, ids["partnership"], "ngo")
    assert staff == [] and ngo_side == []
    assert meeting is not None and meeting.organiser_telegram_id is None


async def test_people_forgotten_before_the_upgrade_can_be_erased_too(db: Database) -> None:
    """The old /forget only blanked the name: one pass erases what it left behind."""
    ids = await _seed(db)
    async with db.transaction() as session:
        grace = await session.get(Contact, ids["grace"])
        assert grace is not None
        grace.telegram_user_id, grace.display_name, grace.forgotten_at = None, None, NOW
    assert PHONE in await _everything_said(db)
    async with db.transaction() as session:
        assert await contacts.erase_previously_forgotten(session, NOW) == 1
    assert PHONE not in await _everything_said(db)
    async with db.sessions() as session:
        members = await session.scalar(
            select(func.count()).where(PartnershipMember.contact_id == ids["grace"])
        )
    assert members == 0
