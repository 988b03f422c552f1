"""Placeholder: filled in by the reduction family."""


class ReductionMethods:
    __slots__ = ()
