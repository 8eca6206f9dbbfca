"""What staff learn from the answers and what goes back to partners: /summary, /pending,
/export, /share and report-backs."""
