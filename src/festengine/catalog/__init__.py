"""The fest pack: schema, safe YAML loading with source positions, checks and compilation."""
