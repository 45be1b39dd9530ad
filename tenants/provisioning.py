"""Hooks that other apps register to fill a new territory (referential, toolbox...).

Each hook is called as hook(territory) inside the territory's schema, within the
provisioning transaction: a hook that raises undoes the whole territory.
"""

_hooks = []


def register_provisioning_hook(func):
    if func not in _hooks:
        _hooks.append(func)
    return func


def unregister_provisioning_hook(func):
    if func in _hooks:
        _hooks.remove(func)


def provisioning_hooks():
    return list(_hooks)
