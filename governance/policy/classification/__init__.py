"""The AI Act risk questionnaire and immutable classification records (rules.py is pure)."""
