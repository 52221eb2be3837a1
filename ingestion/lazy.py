"""A function whose module is imported only when it is first called: the registry of sources
names every reader without importing any of them (or polars), so the code location loads fast."""

from collections.abc import Callable
from importlib import import_module


def imported_on_call(target: str) -> Callable:
    """The function `target` ("package.module:function"), its module imported at the call."""
    module, name = target.split(":")

    def call(*args, **kwargs):
        return getattr(import_module(module), name)(*args, **kwargs)

    return call
