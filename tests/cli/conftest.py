"""The plain commands, run as an admin or a cron job runs them."""
