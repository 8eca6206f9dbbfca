"""The Telegram side of partnerbot."""

import os

# Durations (voice length, retry_after) as timedelta, the behaviour PTB is moving to; it also
# silences PTB's deprecation warning on every access.
os.environ.setdefault("PTB_TIMEDELTA", "1")
