"""``pii.v1``: the draft must not contain personal data (e-mails, phones, URLs, cards, addresses).

Synthetic reviews are published as data; a model can regurgitate memorised contact details or
invent plausible ones, and either looks like a leak. Person names are allowed by default:
real reviews say "my son Jake loves it" or thank a named rep, and a first name alone does not
identify anyone. Links to well-known shops (``allowed_domains``) are not personal data either.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewgen.core.schemas import Verdict
from reviewgen.critic_rules.base import CriticContext, CriticRule, register_rule
from reviewgen.text.pii import find_pii

PiiKind = Literal["email", "phone", "url", "address", "card", "person"]

_NAMES = {
    "email": "e-mail address",
    "phone": "phone number",
    "url": "web address",
    "address": "street address",
    "card": "card number",
    "person": "person's name",
}
_HOST_RE = re.compile(r"^(?:[a-z]+://)?(?:www\.)?([^/?#:]+)", re.IGNORECASE)


class PiiParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reject: list[PiiKind] = Field(
        default_factory=lambda: ["email", "phone", "url", "card", "address"],
        description="kinds of personal data that fail a draft",
    )
    allowed_domains: list[str] = Field(
        default_factory=lambda: ["amazon.com"], description="URLs on these hosts are fine"
    )


@register_rule("pii.v1")
class PiiRule(CriticRule):
    """Fail when ``reviewgen.text.pii.find_pii`` finds any span of a rejected kind."""

    Params = PiiParams

    def check(self, draft: str, context: CriticContext) -> Verdict:
        p: PiiParams = self.params  # type: ignore[assignment]
        spans = [
            s
            for s in find_pii(draft, people="person" in p.reject)
            if s.kind in p.reject and not (s.kind == "url" and self._allowed(s.text, p))
        ]
        if not spans:
            return self.ok(1.0)
        kinds = list(dict.fromkeys(s.kind for s in spans))
        return self.fail(
            "Leave out the " + " and the ".join(_NAMES[k] for k in kinds) + ".",
            0.0,
            kinds=kinds,
            spans=[{"kind": s.kind, "start": s.start, "end": s.end, "text": s.text} for s in spans],
        )

    @staticmethod
    def _allowed(url: str, p: PiiParams) -> bool:
        match = _HOST_RE.match(url)
        host = match.group(1).lower() if match else ""
        return any(host == d.lower() or host.endswith("." + d.lower()) for d in p.allowed_domains)
