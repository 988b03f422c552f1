"""``ember.nn.utils``: helpers over parameter collections (gradient clipping, flat vectors,
penalties)."""
from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403
from .penalties import *  # noqa: F401,F403
