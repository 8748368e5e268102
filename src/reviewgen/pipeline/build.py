"""Build the pipeline's stages from a validated config (models, writer, critic, stores)."""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass
from typing import Any

from reviewgen.agents.persona import Calibration, PersonaAgent
from reviewgen.agents.quotas import AspectQuota, LengthQuota, Quotas
from reviewgen.chains.backstory import PersonaEnricher
from reviewgen.chains.exemplars import default_exemplars
from reviewgen.chains.vocabulary import VocabularyBias
from reviewgen.chains.writer import PROMPT_HEADERS, Writer, estimate_tokens
from reviewgen.core.config import Config
from reviewgen.core.errors import ConfigError
from reviewgen.core.ratelimit import RateLimiter
from reviewgen.core.retry import CircuitBreaker, RetryPolicy
from reviewgen.core.schemas import ReviewPlan
from reviewgen.models.capabilities import capabilities_of
from reviewgen.models.llamacpp import adapter_length_line
from reviewgen.models.providers import build_model, is_chat, provider_options
from reviewgen.models.usage import UsageTracker
from reviewgen.pipeline.components import build_rules
from reviewgen.pipeline.critic import Critic
from reviewgen.pipeline.orchestrator import Stages
from reviewgen.pipeline.preflight import check_servers, setting
from reviewgen.pipeline.reference import Reference, load_reference
from reviewgen.text.aspects import AspectLexicon
from reviewgen.vectorstore import DuplicateStore, build_embedder


@dataclass
class Built:
    stages: Stages
    reference: Reference | None


def _models(config: Config, needed: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """One model object per distinct spec, shared by the roles that name it."""
    built: dict[str, Any] = {}
    models: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for role in sorted(needed):
        spec = config.models.for_role(role)
        key = spec.model_dump_json()
        if key not in built:
            built[key] = build_model(spec, role=role)  # errors name models.<role>
        models[role] = built[key]
        labels[role] = spec.label()
    return models, labels


def writer_mode(config: Config, model: Any) -> str:
    if config.writer.style != "auto":
        return config.writer.style
    return "chat" if is_chat(model) else "completion"


def make_noise(config: Config, lexicon: AspectLexicon):
    """The persona's slips, applied after the critic (protecting aspect words); the kinds it
    did not draw are repaired where the model made them on its own."""
    if not config.noise.enabled:
        return None
    from reviewgen.augment.noise import apply_style_noise

    protected = lexicon.protected_words()

    def noise(text: str, plan: ReviewPlan, rng: random.Random) -> tuple[str, dict[str, Any]]:
        words = protected | {w.lower() for w in plan.product.name.split()}
        return apply_style_noise(text, plan.persona.style, rng, words, conform=True)

    return noise


def build(
    config: Config,
    *,
    reference: Reference | None = None,
    calibrate: bool = True,
    expected_size: int = 0,
) -> Built:
    lexicon = AspectLexicon(config.category.aspects)
    if reference is None and config.reference.path:
        reference = load_reference(
            config.reference, lexicon, calibrate_parts=None if calibrate else []
        )
    rules = build_rules(config.critic.rules)
    needed = {"writer"} | ({"judge"} if any(r.needs_model for r in rules) else set())
    if config.persona.enrich:
        needed.add("persona")
    served_windows = check_servers(config, needed)  # a server that is not there fails here
    models, labels = _models(config, needed)
    if "judge" in labels and labels["judge"] == labels["writer"]:
        warnings.warn(
            f"the judge model is the writer model ({labels['writer']}): LLM judges favour "
            "their own output (self-preference bias); set models.judge to another model",
            stacklevel=2,
        )
    pool = (
        reference.exemplars
        if reference is not None
        else default_exemplars(lexicon, config.writer.exemplars_path)
    )
    trackers = {role: UsageTracker() for role in ("persona", "writer", "judge")}
    for role in ("persona", "judge"):
        if role in models:
            models[role] = models[role].with_config(callbacks=[trackers[role]])
    writer_model = models["writer"]
    mode = writer_mode(config, writer_model)
    writer = Writer(
        writer_model,
        mode=mode,
        category=config.category,
        pool=pool,
        exemplars=config.exemplar_count(),
        per_call_sampling=capabilities_of(writer_model).per_call_sampling,
        callbacks=[trackers["writer"]],
        vocabulary=_vocabulary(config, reference, writer_model, mode, lexicon),
        context_window=context_window(config, "writer", writer_model, served_windows),
        answer_tokens=config.models.for_role("writer").max_tokens,
        count_tokens=_token_counter(writer_model) if mode == "chat" else estimate_tokens,
        length_line=mode == "completion" and _tuned_with_length(config),
    )
    embedder = build_embedder(config.store.embedder.name, config.store.embedder.params)
    store = DuplicateStore(
        embedder, config.store.threshold, index=config.store.index, expected_size=expected_size
    )
    source_store = None
    if config.store.check_reference:
        source_store = DuplicateStore(embedder, config.store.threshold)
        texts = (
            reference.texts
            if reference is not None
            else [e.text for group in pool.by_rating.values() for e in group]
        )
        source_store.add([f"source-{i}" for i in range(len(texts))], texts)
    limiters = _limiters(config, needed)
    # The judge's policy also goes to every critic rule's context, judge or not (as before).
    retries = _retry_policies(config, needed | {"judge"})
    calibration = reference.calibration if reference is not None else Calibration()
    agent = PersonaAgent(config, calibration)
    agent.quotas = _quotas(config, agent, lexicon, expected_size)
    stages = Stages(
        agent=agent,
        writer=writer,
        critic=Critic(rules),
        store=store,
        source_store=source_store,
        context_base={
            "lexicon": lexicon,
            "category_noun": config.category.noun,
            "prompt_headers": PROMPT_HEADERS,
            "reference_texts": tuple(reference.texts) if reference is not None else (),
            "reference_ratings": (
                tuple(row.rating for row in reference.rows) if reference is not None else ()
            ),
            "models": models,
            "model_labels": labels,
            "retry": retries["judge"],
            "limiter": limiters.get("judge"),
        },
        max_revisions=config.writer.max_revisions,
        max_candidates=config.run.max_candidates_per_slot,
        noise=make_noise(config, lexicon),
        model_labels=labels,
        trackers=trackers,
        retries=retries,
        limiters=limiters,
        quotas=agent.quotas,
        enricher=_enricher(config, models.get("persona")),
    )
    return Built(stages, reference)


def _vocabulary(
    config: Config,
    reference: Reference | None,
    model: Any,
    mode: str,
    lexicon: AspectLexicon,
) -> VocabularyBias | None:
    """Only a completion-style writer with token access: a logit bias needs the model's ids."""
    tokenizer = capabilities_of(model).tokenizer
    if (
        reference is None
        or not reference.calibration.vocabulary
        or mode != "completion"
        or tokenizer is None
    ):
        return None
    terms = [t for terms in lexicon.terms.values() for t in terms]
    return VocabularyBias(
        tokenizer(),
        reference.calibration.vocabulary,
        temperature=config.models.for_role("writer").temperature,
        protected=[form for t in terms for form in (t, t.capitalize())],
    )


def _limiters(config: Config, roles: set[str]) -> dict[str, RateLimiter]:
    """Each role's request and token limits; roles naming the same model with the same
    limits share one bucket, since the provider counts their calls together."""
    shared: dict[tuple[str, float | None, float | None], RateLimiter] = {}
    limiters = {}
    for role in sorted(roles):
        spec = config.models.for_role(role)
        if spec.requests_per_minute or spec.tokens_per_minute:
            key = (spec.label(), spec.requests_per_minute, spec.tokens_per_minute)
            if key not in shared:
                shared[key] = RateLimiter(spec.requests_per_minute, spec.tokens_per_minute)
            limiters[role] = shared[key]
    return limiters


def _retry_policies(config: Config, roles: set[str]) -> dict[str, RetryPolicy]:
    """Each role's retries, read by its provider's error rules; roles on the same model share
    one circuit breaker, since the provider refuses their calls together."""
    breakers: dict[tuple[str, str | None], CircuitBreaker] = {}
    policies = {}
    for role in sorted(roles):
        spec = config.models.for_role(role)
        provider, _ = provider_options(spec, role)
        key = (spec.label(), spec.base_url)
        if key not in breakers:
            breakers[key] = CircuitBreaker(
                setting(config, role, "provider").rsplit(".", 1)[0],
                max_failed_calls=spec.max_failed_calls,
                max_refused_seconds=spec.max_refused_seconds,
            )
        policies[role] = RetryPolicy(
            attempts=spec.retries,
            base_delay=spec.retry_base_delay,
            timeout=spec.timeout,
            errors=provider.errors,
            breaker=breakers[key],
        )
    return policies


def context_window(
    config: Config, role: str, model: Any, served: dict[str, int | None]
) -> int | None:
    """Tokens the role's prompt and answer must fit: the config's ``context_window``, else
    what the model's adapter declares, else what its server reports, else its provider's
    default (docs/PROVIDERS.md)."""
    spec = config.models.for_role(role)
    if spec.context_window is not None:
        return spec.context_window
    declared = capabilities_of(model).context_window or served.get(role)
    if declared is not None:
        return declared
    provider, options = provider_options(spec, role)
    return provider.default_context_window(spec, options)


def _tuned_with_length(config: Config) -> bool:
    """The writer's adapter was tuned under the ``Length:`` header line (``reviewgen tune``)."""
    spec = config.models.for_role("writer")
    return spec.adapter is not None and adapter_length_line(spec.adapter)


def _token_counter(model: Any):
    """The model's own token count where its adapter gives a tokenizer, else an estimate."""
    tokenizer = capabilities_of(model).tokenizer
    if tokenizer is None:
        return estimate_tokens
    encode = tokenizer().encode
    return lambda text: len(encode(text))


def _enricher(config: Config, model: Any) -> PersonaEnricher | None:
    if model is None:
        return None
    if not is_chat(getattr(model, "bound", model)):  # unwrap the usage-tracking binding
        raise ConfigError(
            "persona.enrich needs a chat model for the persona role: set models.persona "
            "(e.g. {provider: openai, model: gpt-4.1-mini}); a base model such as the "
            "embedded gemma3-270m cannot write a backstory"
        )
    return PersonaEnricher(model, config.category.noun)


def _quotas(
    config: Config, agent: PersonaAgent, lexicon: AspectLexicon, expected_size: int
) -> Quotas | None:
    lengths = agent.calibration.all_lengths()
    if config.persona.length.mode == "from_reference" and not lengths:
        raise ConfigError(
            "persona.length.mode: from_reference needs a reference dataset (--reference PATH "
            "or reference.path) with 'lengths' in reference.calibrate"
        )
    if not (config.persona.retarget and expected_size):
        return None
    return Quotas(
        length=LengthQuota(lengths, expected_size) if lengths else None,
        aspects=AspectQuota(agent.aspect_shares(), expected_size),
        lexicon=lexicon,
        relief_after=config.persona.quota_relief_after,
    )
