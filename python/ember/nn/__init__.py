"""``ember.nn``: Module, Parameter, the layers, ``functional`` (as F), ``init`` and ``utils``,
with PyTorch's names, weight layouts and state_dict keys."""
from .parameter import Parameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional  # noqa: F401
from . import init  # noqa: F401
from . import utils  # noqa: F401
