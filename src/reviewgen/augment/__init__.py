"""Dataset augmentation (noise, synonyms, back-translation), combining and anonymisation.

The built-in ops (``typos.v1``, ``style.v1``, ``synonyms.v1``, ``backtranslate.v1``) are declared
as entry points of the group ``reviewgen.augmenters``, like any plugin's.
"""
