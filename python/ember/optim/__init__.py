"""``ember.optim``: optimizers (one fused C++/CUDA kernel per parameter and step) and
learning-rate schedulers, with torch.optim's names, defaults and state_dict layout."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .adamax import Adamax
from .nadam import NAdam
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .asgd import ASGD
from .lbfgs import LBFGS
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RMSprop", "Adagrad",
           "Adadelta", "ASGD", "LBFGS", "lr_scheduler"]
