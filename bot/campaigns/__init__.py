"""Survey campaigns: /send a survey to an audience, follow it with /campaigns."""
