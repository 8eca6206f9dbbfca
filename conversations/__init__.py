"""Survey definitions and the survey engine: pure Python, no Telegram, no database.

The bot imports from here; storage never needs to. Survey files live in ``surveys/``.
"""

from conversations.check import CheckReport, check_all, run_check
from conversations.definition import Question, Survey
from conversations.engine import (
    Answer,
    Progress,
    Refusal,
    Step,
    UserInput,
    advance,
    begin,
    current_question,
    initial_selection,
    is_complete,
    position,
    screen,
    step_position,
    visible_questions,
)
from conversations.errors import SurveyDefinitionError
from conversations.loader import SURVEYS_DIR, load_all, load_survey, parse_survey
from conversations.state import REFUSAL_CODES
from conversations.translations import MissingText, check_translations

__all__ = [
    "REFUSAL_CODES",
    "SURVEYS_DIR",
    "Answer",
    "CheckReport",
    "MissingText",
    "Progress",
    "Question",
    "Refusal",
    "Step",
    "Survey",
    "SurveyDefinitionError",
    "UserInput",
    "advance",
    "begin",
    "check_all",
    "check_translations",
    "current_question",
    "initial_selection",
    "is_complete",
    "load_all",
    "load_survey",
    "parse_survey",
    "position",
    "run_check",
    "screen",
    "step_position",
    "visible_questions",
]
