"""Helpers for testing code that uses festengine: hypothesis strategies, a pytest plugin, scenarios."""
