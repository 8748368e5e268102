"""Detector families for the realism test: each tries to tell synthetic reviews from real ones.

Three are trained (``tfidf_lr``, ``naive_bayes``, ``stylometric``) and cross-validated on the
same balanced samples and folds (``crossval``); one is zero-shot (``zero_shot``: a language
model's token probabilities, no training). ``reviewgen.evaluation.realism`` runs them all and
takes the worst (highest AUC) as the headline: a generator tuned against one family can still
be given away by another.
"""
