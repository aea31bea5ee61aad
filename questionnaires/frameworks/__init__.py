"""Questionnaire frameworks: one data file per version, and the schema that validates them."""
