"""The phases of a week, one module each."""
