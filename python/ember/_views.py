"""Placeholder: filled in by the views family."""


class ViewMethods:
    __slots__ = ()
