"""The Telegram front end: the application (telegram_app), its services (chat_context), thin handlers by
job (*_handlers), scheduled jobs, upload notices and the heartbeat. Named `chat`, not `telegram`, so it is
never mistaken for python-telegram-bot's `telegram` package."""
