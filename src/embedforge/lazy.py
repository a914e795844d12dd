"""Public names a package loads on first use (PEP 562), so that importing the package stays light.

``embedforge``, its run layer and three stage packages list their public names with the module
each lives in; the first ``package.name`` imports that module, and the value is kept on the package
so later lookups are plain attribute reads. That is what keeps ``embedforge --help``,
``embedforge.pipeline.config`` and ``embedforge search`` from importing torch, the parsers or the
generators they do not use.

>>> import sys, types
>>> package = types.ModuleType("demo_package")
>>> sys.modules["demo_package"] = package
>>> package.__getattr__ = lazy_getattr("demo_package", {"dedent": "textwrap"})
>>> package.dedent("  a")
'a'
>>> "dedent" in vars(package)  # kept after the first lookup
True
>>> package.missing
Traceback (most recent call last):
AttributeError: module 'demo_package' has no attribute 'missing'
>>> del sys.modules["demo_package"]
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """The module-level ``__getattr__`` of ``package``: ``name`` imported from ``names[name]`` when first asked.

    Args:
        package: the package's ``__name__``.
        names: public name -> the module that defines it.

    Returns:
        A function to assign to the package's ``__getattr__``.

    Raises:
        AttributeError: (from the returned function) for a name not in ``names``, as for any module.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # looked up once
        return value

    return __getattr__
