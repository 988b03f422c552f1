"""Placeholder: filled in by the creation family."""

__all__ = []


class CreationMethods:
    __slots__ = ()
