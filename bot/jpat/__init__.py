"""J-PAT partnership check-ins: rounds, both sides' answers, consolidation, history."""
