"""``reviewgen graph``: the configured per-review loop as a Mermaid flowchart."""

from __future__ import annotations

import argparse

from reviewgen.commands.common import add_config_options, config_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("graph", help="print the pipeline as a Mermaid diagram")
    add_config_options(parser)
    parser.set_defaults(func=run)


def mermaid(config) -> str:
    rules = "<br/>".join(spec.name for spec in config.critic.rules) or "(no rules)"
    writer = config.models.for_role("writer").label()
    lines = [
        "flowchart TD",
        "  plan[persona agent<br/>persona, product, stars, aspects, length]",
        f"  write[writer chain<br/>{writer}, {config.writer.exemplars} exemplars]",
        f"  critic{{{{critic chain<br/>{rules}}}}}",
        "  plan --> write --> critic",
        f"  critic -- failed, revisions left (max {config.writer.max_revisions}) --> write",
        "  critic -- failed, none left --> reject[(rejects.jsonl)]",
        "  reject -- next candidate of the same slot --> write",
    ]
    after = "critic -- passed --> "
    if config.noise.enabled:
        lines.append(f"  {after}noise[style noise<br/>persona typing habits]")
        after = "noise --> "
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
