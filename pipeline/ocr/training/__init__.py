"""Builders of the OCR stage's models (run by `make models`, not at run time)."""
