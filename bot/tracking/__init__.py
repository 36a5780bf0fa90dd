"""Duty tracking: statuses (duty_status), completion events (completions), reminders and their buttons
(reminders, duty_items), reports (duty_report → report_xlsx, progress_chart) and the /lich calendar."""
