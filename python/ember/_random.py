"""Placeholder: filled in by the random family."""

__all__ = []
