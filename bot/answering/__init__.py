"""Answering a question: parsed once (question), answered from stored facts (fact_answers) or passages
(passage_answers) by the planner (planner.Answerer), agencies found by agency_lookup. No Telegram here."""
