"""Functional losses (filled by the nn-act-loss branch)."""
__all__ = []
