"""Running one scenario: the runner, the results folder, plots and provenance."""
