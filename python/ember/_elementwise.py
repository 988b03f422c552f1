"""Placeholder: filled in by the elementwise family."""


class ElementwiseMethods:
    __slots__ = ()
