"""``ember.nn.init``: in-place weight initializations (PyTorch's names and formulas)."""
