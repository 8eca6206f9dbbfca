"""The Telegram side of partnerbot."""
