"""Placeholder: filled in by the dlpack family."""


__all__ = []


class DLPackMethods:
    __slots__ = ()
