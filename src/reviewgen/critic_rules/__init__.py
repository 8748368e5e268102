"""Built-in critic rules, one module each, declared as entry points in ``pyproject.toml``
(group ``reviewgen.critic_rules``) like any plugin's; the registry imports a rule when a
config names it."""
