"""Placeholder: filled in by the dlpack family."""


class DLPackMethods:
    __slots__ = ()
