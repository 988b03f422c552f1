"""The layers of ember.nn, one family per module; each lists its classes in ``__all__``."""
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
