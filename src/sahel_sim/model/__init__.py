"""The model: SahelModel, its world, phases, agents, fields and metrics."""
