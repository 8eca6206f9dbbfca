"""Confidential reports, read by the safeguarding focal points alone (/reports)."""
