"""Blind real-or-synthetic rating studies: people in a local web page, or a model, answer
whether each review was written by a customer; the report measures whether they could tell."""
