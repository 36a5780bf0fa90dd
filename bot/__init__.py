"""Question answering and the Telegram front end."""
