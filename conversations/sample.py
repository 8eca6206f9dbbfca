"""A small survey with one question of every type, for tests and for the bot's own tests.

Kept in Python (not in ``surveys/``) so it is never offered to partners, yet every layer (the
engine here, rendering in ``bot``) can exercise each question type, notes, sections and
show_if without depending on the wording of the real surveys.
"""

from __future__ import annotations

from conversations.definition import Survey
from conversations.loader import load_survey_text

SAMPLE_SURVEY_YAML = """\
id: sample_all_types
version: 1
default_language: en
languages: [en, fr]
title: {en: Sample survey, fr: Questionnaire d'exemple}
intro: {en: One question of each type., fr: Une question de chaque type.}
sections:
  - key: basics
    title: {en: Basics, fr: Bases}
  - key: details
    title: {en: Details, fr: Détails}
questions:
  - key: welcome
    type: note
    section: basics
    text: {en: "Welcome! This takes two minutes.", fr: "Bienvenue ! Cela prend deux minutes."}

  - key: rating
    type: scale
    section: basics
    min: 1
    max: 5
    dont_know: true
    text: {en: "How would you rate our support?", fr: "Comment évaluez-vous notre soutien ?"}
    labels:
      1: {en: Very poor, fr: Très mauvais}
      3: {en: Fair, fr: Moyen}
      5: {en: Very good, fr: Très bon}

  - key: rating_why
    type: text
    required: false
    allow_voice: true
    show_if: {q: rating, op: "<=", value: 2}
    text: {en: "What went wrong?", fr: "Qu'est-ce qui n'a pas marché ?"}
    hint: {en: Optional; a voice message is fine., fr: Facultatif ; un message vocal convient.}

  - key: role
    type: single_choice
    section: basics
    text: {en: "What is your role?", fr: "Quel est votre rôle ?"}
    choices:
      - {code: leader, label: {en: Community leader, fr: Leader communautaire}}
      - {code: staff, label: {en: Staff member, fr: Membre du personnel}}
      - {code: volunteer, label: {en: Volunteer, fr: Bénévole}}

  - key: topics
    type: multiple_choice
    section: details
    min_selections: 1
    max_selections: 2
    text: {en: "Which topics matter most (up to two)?", fr: "Quels thèmes comptent le plus (deux au plus) ?"}
    choices:
      - {code: health, label: {en: Health, fr: Santé}}
      - {code: education, label: {en: Education, fr: Éducation}}
      - {code: livelihoods, label: {en: Livelihoods, fr: Moyens de subsistance}}
      - {code: protection, label: {en: Protection, fr: Protection}}

  - key: protection_detail
    type: text
    section: details
    show_if: {q: topics, op: contains, value: protection}
    text: {en: "Which protection issue?", fr: "Quel problème de protection ?"}

  - key: has_office
    type: yes_no
    section: details
    text: {en: "Does your organisation have an office?", fr: "Votre organisation a-t-elle un bureau ?"}

  - key: office_staff
    type: integer
    section: details
    min: 0
    max: 500
    show_if: {q: has_office, op: "==", value: yes}
    text: {en: "How many people work there?", fr: "Combien de personnes y travaillent ?"}
    constraint_message:
      en: Please type a whole number from 0 to 500.
      fr: Veuillez écrire un nombre entier entre 0 et 500.

  - key: budget
    type: decimal
    section: details
    required: false
    min: 0
    text: {en: "Monthly budget (amount only)?", fr: "Budget mensuel (montant seul) ?"}

  - key: started_on
    type: date
    section: details
    min_date: 1990-01-01
    max_date: today
    text: {en: "When did you start working with us?", fr: "Depuis quand travaillez-vous avec nous ?"}

  - key: comment
    type: text
    required: false
    show_if:
      all:
        - {q: role, op: in, value: [leader, staff]}
        - {not: {q: rating, op: "==", value: 5}}
    text: {en: "Any comment?", fr: "Un commentaire ?"}

  - key: thanks
    type: note
    text: {en: Thank you!, fr: Merci !}
"""


def sample_survey() -> Survey:
    """The sample survey, validated like any shipped file."""
    return load_survey_text(SAMPLE_SURVEY_YAML, "<sample_all_types>")
