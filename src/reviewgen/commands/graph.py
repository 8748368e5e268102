"""``reviewgen graph``: the configured per-review loop as a Mermaid flowchart.

Drawn from the config and the registered rules' own declarations (which rules call a model,
which failures can be re-aimed), the same facts the assembly acts on, so a new rule, an
enrichment step or a quota shows up without editing this file. No model is built.
"""

from __future__ import annotations

import argparse

from reviewgen.commands.common import add_config_options, config_from
from reviewgen.core.config import Config
from reviewgen.core.registry import critic_rules


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("graph", help="print the configured loop as a Mermaid diagram")
    add_config_options(parser)
    parser.set_defaults(func=run)


def mermaid(config: Config) -> str:
    rules = [critic_rules.get(spec.name) for spec in config.critic.rules]
    cheap = [r.registered_name for r in rules if not r.needs_model]
    judged = [r.registered_name for r in rules if r.needs_model]
    reaimable = sorted({r.reaims for r in rules if r.reaims})
    slot = config.run.max_candidates_per_slot
    lines = [
        "flowchart TD",
        "  plan[persona sampler<br/>persona, product, stars, aspects, length, style]",
    ]
    first = "plan"
    if config.persona.enrich:
        persona = config.models.for_role("persona").label()
        lines.append(f"  plan --> enrich[backstory<br/>{persona}, structured output]")
        first = "enrich"
    writer = config.models.for_role("writer").label()
    lines += [
        f"  write[writer chain<br/>{writer}, {config.exemplar_count()} exemplars]",
        f"  {first} --> write",
        f"  critic{{{{critic rules<br/>{'<br/>'.join(cheap) or '(none)'}}}}}",
        "  write --> critic",
    ]
    passed = "critic"
    if judged:
        judge = config.models.for_role("judge").label()
        lines.append(f"  judge{{{{model rules, {judge}<br/>{'<br/>'.join(judged)}}}}}")
        lines.append("  critic -- cheap rules passed --> judge")
        passed = "judge"
    if config.persona.retarget and reaimable:
        lines.append(f"  {passed} -- only {' / '.join(reaimable)} missed, quota has room --> reaim")
        lines.append("  reaim[re-aim the plan at what the draft wrote] --> critic")
    lines += [
        f"  {passed} -- failed, revisions left (max {config.writer.max_revisions}) --> write",
        f"  {passed} -- failed, none left --> reject[(rejects.jsonl)]",
        "  reject -- next candidate of the slot --> write",
        f"  reject -- slot spent {slot} candidates --> replan[re-plan the slot, same stars]",
        "  replan --> plan",
    ]
    after = f"{passed} -- passed --> "
    if config.noise.enabled:
        lines.append(f"  {after}noise[style noise<br/>persona writing habits]")
        after = "noise --> "
    if config.persona.retarget:
        lines.append(f"  {after}quota{{{{length and aspect quotas open?}}}}")
        lines.append("  quota -- full --> reject")
        after = "quota -- open --> "
    if config.store.check_reference:
        lines.append(f"  {after}source{{{{too close to a reference review?}}}}")
        lines.append("  source -- yes, chat writer with revisions left --> write")
        lines.append("  source -- yes, otherwise --> reject")
        after = "source -- no --> "
    embedder = config.store.embedder.name
    lines += [
        f"  {after}store{{{{FAISS store<br/>{embedder}, cosine >= {config.store.threshold}?}}}}",
        "  store -- near-duplicate, chat writer with revisions left --> write",
        "  store -- near-duplicate, otherwise --> reject",
        "  store -- novel --> accept[(reviews.jsonl)]",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    print(mermaid(config_from(args)))
    return 0
