"""Property tests: whatever people send, the engine stays in a valid state.

Properties checked after every single input, for the sample survey (every question type) and
every shipped survey:

- it never raises, and ``Step.question`` is exactly ``current_question`` of the new progress;
- hidden questions are never asked, and no answer to a hidden question is kept;
- the cursor is None or names a visible question;
- a refusal or a toggle changes no answer; Back changes no answer;
- every answer that disappears is listed in ``Step.removed`` (Back never loses a later answer
  silently), and nothing else is;
- every stored answer is well-formed for its question;
- at completion every visible required question has a real answer (or "don't know" where
  allowed).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.definition import (
    DateQuestion,
    DecimalQuestion,
    IntegerQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from conversations.engine import (
    Answer,
    Progress,
    Step,
    UserInput,
    advance,
    begin,
    current_question,
    initial_selection,
    is_complete,
    position,
    visible_questions,
)
from conversations.loader import load_all
from conversations.sample import sample_survey
from conversations.state import REFUSAL_CODES
from conversations.validation import FREE_TEXT_LIMIT

TODAY = dt.date(2024, 6, 15)
SURVEYS: list[Survey] = [sample_survey(), *load_all().values()]
KINDS = ["text", "choice", "toggle", "done", "voice", "skip", "back", "dont_know"]


def all_codes(survey: Survey) -> list[str]:
    codes = {"next", "dont_know", "yes", "no", "0", "1", "2", "3", "5", "6", "-1"}
    for question in survey.questions:
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            codes.update(question.codes)
    return sorted(codes)


TYPED = [
    "",
    " ",
    "1",
    "3",
    "5",
    "12",
    "1 200",
    "1,200",
    "3,5",
    "-4",
    "١٢",
    "9999999",
    "2020-01-01",
    "31/12/2023",
    "01/01/2099",
    "yes",
    "non",
    "نعم",
    "hapana",
    "je ne sais pas",
    "1, 2",
    "1 3",
    "Always",
    "Toujours",
    "x" * 1600,
    "💥",
    "\x00",
    "null",
    "Strongly agree",
    "Local currency",
]


@st.composite
def user_inputs(draw: st.DrawFn, survey: Survey) -> UserInput:
    kind = draw(st.sampled_from(KINDS) | st.text(max_size=5))
    value = draw(
        st.none()
        | st.sampled_from(all_codes(survey))
        | st.sampled_from(TYPED)
        | st.text(max_size=30)
    )
    file_id = draw(st.none() | st.sampled_from(["", "voice-1"]) | st.text(max_size=5))
    duration = draw(st.none() | st.integers(min_value=-5, max_value=10_000))
    return UserInput(kind, value, file_id, duration)  # type: ignore[arg-type]


def assert_well_formed(question: Question, answer: Answer, survey: Survey) -> None:
    """A stored answer fits its question's type and limits."""
    assert answer.key == question.key
    assert answer.status in ("answered", "skipped", "dont_know")
    if answer.status == "skipped":
        assert not question.required and answer.value is None
        return
    if answer.status == "dont_know":
        assert question.allows_dont_know and answer.value is None
        return
    value = answer.value
    if isinstance(question, NoteQuestion):
        assert value is None
    elif answer.voice_file_id:
        assert question.allows_voice and value is None
    elif isinstance(question, ScaleQuestion):
        assert isinstance(value, int) and question.min <= value <= question.max
    elif isinstance(question, SingleChoiceQuestion):
        assert value in question.codes
    elif isinstance(question, MultipleChoiceQuestion):
        assert isinstance(value, list) and value
        assert all(code in question.codes for code in value)
        assert question.effective_min <= len(value) <= question.effective_max
        assert value == [code for code in question.codes if code in value]
    elif isinstance(question, YesNoQuestion):
        assert value in ("yes", "no")
    elif isinstance(question, IntegerQuestion):
        assert isinstance(value, int) and not isinstance(value, bool)
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    elif isinstance(question, DecimalQuestion):
        assert isinstance(value, float)
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    elif isinstance(question, TextQuestion):
        assert isinstance(value, str) and value.strip() == value and 0 < len(value)
        assert len(value) <= FREE_TEXT_LIMIT
    elif isinstance(question, DateQuestion):
        assert isinstance(value, str)
        low, high = question.bounds(TODAY)
        day = dt.date.fromisoformat(value)
        assert (low is None or day >= low) and (high is None or day <= high)


def check_step(survey: Survey, before: Progress, user_input: UserInput, step: Step) -> None:
    after = step.progress
    visible = visible_questions(survey, after.answers)
    visible_keys = {q.key for q in visible}
    # the question asked is the current one, visible, and "done" means nothing left
    assert step.question == current_question(survey, after)
    assert step.done == (step.question is None)
    if step.question is not None:
        assert step.question.key in visible_keys
        if step.question.is_answerable:
            n, total = position(survey, after, step.question)
            assert 1 <= n <= total
    assert after.cursor is None or after.cursor in visible_keys
    # no answers kept for hidden questions
    assert all(key in visible_keys for key in after.answers if survey.question(key) is not None)
    # nothing disappears without being listed; nothing listed survives
    disappeared = set(before.answers) - set(after.answers)
    assert disappeared <= set(step.removed)
    assert set(step.removed) <= set(before.answers)
    assert not set(step.removed) & set(after.answers)
    if step.refusal is not None:
        assert step.refusal.code in REFUSAL_CODES
    if step.refusal is not None or step.selection is not None or user_input.kind == "back":
        assert step.stored is None
        assert all(
            after.answers[key] == answer
            for key, answer in before.answers.items()
            if key not in step.removed
        )
    if step.stored is not None:
        assert after.answers[step.stored.key] == step.stored
        question = survey.question(step.stored.key)
        assert question is not None
        assert_well_formed(question, step.stored, survey)
        # every other surviving answer is untouched
        for key, answer in before.answers.items():
            if key != step.stored.key and key not in step.removed:
                assert after.answers[key] == answer
    if step.done:
        assert is_complete(survey, after)
        for question in visible:
            answer = after.answers.get(question.key)
            assert answer is not None
            if question.is_answerable and question.required:
                assert answer.status in ("answered", "dont_know")
                assert (
                    answer.value is not None or answer.voice_file_id or answer.status == "dont_know"
                )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[Survey, list[tuple[UserInput, bool, frozenset[str]]]]:
    survey = draw(st.sampled_from(SURVEYS))
    inputs = draw(
        st.lists(
            st.tuples(
                user_inputs(survey),
                st.booleans(),  # True: a caller that keeps pending toggles properly
                st.frozensets(st.sampled_from(all_codes(survey)) | st.text(max_size=3), max_size=4),
            ),
            max_size=60,
        )
    )
    return survey, inputs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_any_sequence_of_inputs_leaves_a_valid_state(
    case: tuple[Survey, list[tuple[UserInput, bool, frozenset[str]]]],
) -> None:
    survey, inputs = case
    step = begin(survey)
    pending: frozenset[str] = frozenset()
    for user_input, well_behaved, random_pending in inputs:
        toggles = pending if well_behaved else random_pending
        before = step.progress
        asked = step.question
        step = advance(survey, before, user_input, pending_toggles=toggles, today=TODAY)
        check_step(survey, before, user_input, step)
        if step.selection is not None:
            pending = step.selection
        elif step.question != asked and step.question is not None:
            pending = initial_selection(step.progress, step.question)


@st.composite
def valid_input(draw: st.DrawFn, question: Question) -> tuple[UserInput, frozenset[str]]:
    """An input a cooperative person could send for ``question`` (maybe skip/don't know)."""
    if isinstance(question, NoteQuestion):
        return draw(st.sampled_from([UserInput("done"), UserInput.choice("next")])), frozenset()
    options: list[UserInput] = []
    if not question.required:
        options.append(UserInput("skip"))
    if question.allows_dont_know:
        options.append(UserInput("dont_know"))
    if question.allows_voice:
        options.append(UserInput.voice("voice-file", 5))
    if isinstance(question, ScaleQuestion):
        options += [UserInput.choice(str(p)) for p in question.points]
    elif isinstance(question, SingleChoiceQuestion):
        options += [UserInput.choice(code) for code in question.codes]
    elif isinstance(question, MultipleChoiceQuestion):
        size = draw(
            st.integers(min_value=max(1, question.effective_min), max_value=question.effective_max)
        )
        chosen = draw(
            st.lists(st.sampled_from(question.codes), min_size=size, max_size=size, unique=True)
        )
        return UserInput("done"), frozenset(chosen)
    elif isinstance(question, YesNoQuestion):
        options += [UserInput.choice("yes"), UserInput.text("non")]
    elif isinstance(question, IntegerQuestion):
        low = question.min if question.min is not None else -1000
        high = question.max if question.max is not None else 1000
        options.append(UserInput.text(str(draw(st.integers(min_value=low, max_value=high)))))
    elif isinstance(question, DecimalQuestion):
        low = question.min if question.min is not None else -1000.0
        high = min(question.max if question.max is not None else 1000.0, 1e6)
        amount = draw(st.decimals(min_value=low, max_value=high, places=2))
        options.append(UserInput.text(str(amount).replace(".", ",")))
    elif isinstance(question, TextQuestion):
        options.append(UserInput.text(draw(st.text(min_size=1, max_size=40).filter(str.strip))))
    elif isinstance(question, DateQuestion):
        low, high = question.bounds(TODAY)
        day = draw(
            st.dates(min_value=low or dt.date(1950, 1, 1), max_value=high or dt.date(2100, 1, 1))
        )
        options.append(UserInput.text(day.strftime("%d/%m/%Y")))
    return draw(st.sampled_from(options)), frozenset()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SURVEYS), st.data())
def test_cooperative_answers_complete_the_survey(survey: Survey, data: st.DataObject) -> None:
    step = begin(survey)
    asked: list[str] = []
    for _ in range(len(survey.questions) + 1):
        if step.done:
            break
        assert step.question is not None
        asked.append(step.question.key)
        user_input, pending = data.draw(valid_input(step.question))
        before = step.progress
        step = advance(survey, before, user_input, pending_toggles=pending, today=TODAY)
        assert step.refusal is None, (step.question, user_input, step.refusal)
        check_step(survey, before, user_input, step)
    assert step.done
    assert len(asked) == len(set(asked))  # nothing asked twice without Back
    visible = {q.key for q in visible_questions(survey, step.progress.answers)}
    assert set(asked) == visible  # every visible question asked once; hidden ones never


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SURVEYS), st.data())
def test_back_then_reanswer_never_loses_answers_silently(
    survey: Survey, data: st.DataObject
) -> None:
    step = begin(survey)
    for _ in range(data.draw(st.integers(min_value=1, max_value=len(survey.questions)))):
        if step.done:
            break
        user_input, pending = data.draw(valid_input(step.question))  # type: ignore[arg-type]
        step = advance(survey, step.progress, user_input, pending_toggles=pending, today=TODAY)
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        before = step.progress
        step = advance(survey, before, UserInput("back"), today=TODAY)
        check_step(survey, before, UserInput("back"), step)
        assert step.progress.answers == before.answers
    if step.question is None:
        return
    kept_before = dict(step.progress.answers)
    user_input, pending = data.draw(valid_input(step.question))
    after = advance(survey, step.progress, user_input, pending_toggles=pending, today=TODAY)
    check_step(survey, step.progress, user_input, after)
    for key, answer in kept_before.items():
        if key in after.removed:
            continue
        if after.stored is not None and key == after.stored.key:
            continue
        assert after.progress.answers[key] == answer


answer_statuses = st.sampled_from(["answered", "skipped", "dont_know", "weird"])


@st.composite
def arbitrary_progress(draw: st.DrawFn, survey: Survey) -> Progress:
    """Progress as storage might hand it over after a definition change: anything goes."""
    keys = [q.key for q in survey.questions] + ["unknown_key"]
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
    answers = [
        Answer(
            key,
            draw(
                st.none()
                | st.integers(-3, 8)
                | st.sampled_from(all_codes(survey))
                | st.lists(st.sampled_from(all_codes(survey)), max_size=3)
            ),
            draw(answer_statuses),  # type: ignore[arg-type]
            voice_file_id=draw(st.none() | st.just("v")),
        )
        for key in chosen
    ]
    cursor = draw(st.none() | st.sampled_from(keys))
    return Progress.from_answers(answers, cursor)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SURVEYS), st.data())
def test_any_stored_progress_is_recovered_without_raising(
    survey: Survey, data: st.DataObject
) -> None:
    progress = data.draw(arbitrary_progress(survey))
    user_input = data.draw(user_inputs(survey))
    step = advance(survey, progress, user_input, today=TODAY)
    assert step.question == current_question(survey, step.progress)
    disappeared = set(progress.answers) - set(step.progress.answers)
    assert disappeared <= set(step.removed)
    visible_keys = {q.key for q in visible_questions(survey, step.progress.answers)}
    assert step.question is None or step.question.key in visible_keys
    assert step.progress.cursor is None or step.progress.cursor in visible_keys
