"""``ember.utils``: ``ember.utils.data`` is ``ember.data``, so that
``from torch.utils.data import DataLoader`` ports by changing the package name."""
import sys as _sys

from .. import data

# Registering the alias lets ``import ember.utils.data`` and ``from ember.utils.data import X``
# find the very same module object, not a copy with its own classes.
_sys.modules[__name__ + ".data"] = data

__all__ = ["data"]
