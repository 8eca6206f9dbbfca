"""Who talks to the bot: joining, invitations, staff roles, and each person's own settings
and data (/language, /timezone, /quiet, /privacy, /mydata, /forget, /stop, /resume)."""
