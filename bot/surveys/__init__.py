"""Surveys: a partner answering one in chat, question by question, and their /surveys list."""
