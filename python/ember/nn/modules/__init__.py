"""The layers of ember.nn, one family per module; each lists its classes in ``__all__``."""
from . import (activation, batchnorm, container, conv, dropout, flatten, linear, loss, module,
               normalization, pooling, sparse)
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403

# What ``from ember.nn.modules import *`` (and so ember.nn) exports: the classes, not the files.
__all__ = [name for family in (module, container, linear, flatten, sparse, dropout, batchnorm,
                               normalization, activation, loss, conv, pooling)
           for name in family.__all__]

from . import padding, upsampling  # noqa: E402
from .padding import *  # noqa: F401,F403,E402
from .upsampling import *  # noqa: F401,F403,E402
__all__ += padding.__all__ + upsampling.__all__
