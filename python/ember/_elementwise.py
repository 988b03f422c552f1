"""Placeholder: filled in by the elementwise family."""


__all__ = []


class ElementwiseMethods:
    __slots__ = ()
