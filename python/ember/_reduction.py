"""Placeholder: filled in by the reduction family."""


__all__ = []


class ReductionMethods:
    __slots__ = ()
