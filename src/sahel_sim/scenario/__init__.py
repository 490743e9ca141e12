"""The scenario: the schema (the only home of defaults, bounds and units), parameters and YAML loading."""
