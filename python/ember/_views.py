"""Placeholder: filled in by the views family."""


__all__ = []


class ViewMethods:
    __slots__ = ()
