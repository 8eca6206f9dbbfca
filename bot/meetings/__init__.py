"""Review meetings: scheduling, invitations and RSVPs, reminders, partners' questions."""
