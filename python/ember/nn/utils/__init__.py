"""``ember.nn.utils``: helpers over parameter collections."""
