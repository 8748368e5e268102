"""Built-in critic rules, one module each; importing this package registers them."""

from reviewgen.critic_rules import (  # noqa: F401  (imported to register)
    ai_tells,
    aspect_coverage,
    degeneration,
    language,
    length,
    llm_judge,
    pii,
    rating_consistency,
    realism,
)
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule

__all__ = ["CriticContext", "CriticRule", "register_rule"]
