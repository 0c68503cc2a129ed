"""Data-driven initialization of a built network (``--init lsuv``, ``data``, ``krahenbuhl``).

The base weights of these methods are ordinary initializers in ``mlplab.init``; the passes that
finish them on a batch of inputs need whole layers and networks, so they live here, above
``mlplab.layers``: ``data_init(net, x)``. See ``docs/initialization.md``.
"""

from mlplab.network_init.data_init import data_init

__all__ = ["data_init"]
