"""Dataset augmentation (noise, synonyms, back-translation), combining and anonymisation.

Importing this package registers the built-in ops in ``reviewgen.registry.augmenters``:
``typos.v1``, ``style.v1``, ``synonyms.v1`` and ``backtranslate.v1``.
"""

from reviewgen.augment import backtranslate, noise, synonyms
from reviewgen.augment.base import AugmentResult
from reviewgen.augment.noise import apply_style_noise

__all__ = ["AugmentResult", "apply_style_noise", "backtranslate", "noise", "synonyms"]
