"""Errors a user can act on. The CLI prints them as one message, without a traceback."""


class ReviewgenError(Exception):
    """Base class for errors whose message is meant for the user."""


class ConfigError(ReviewgenError):
    """The configuration is invalid; the message names the key path and the valid choices."""


class DataError(ReviewgenError):
    """An input dataset cannot be read as reviews."""


class ProviderError(ReviewgenError):
    """A model provider cannot be set up (missing package, missing key, bad model)."""


class PromptTooLong(ValueError):
    """A prompt leaves the model no room to answer: that candidate is rejected, the run goes on
    (the next candidate draws other examples)."""
