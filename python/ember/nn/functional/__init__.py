"""``ember.nn.functional`` (``F``): the stateless forms of the layers, activations and losses."""
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
