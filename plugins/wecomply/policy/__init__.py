"""The policy file (schema and loader) and the China working-day calendar."""
