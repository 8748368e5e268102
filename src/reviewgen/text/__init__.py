"""Ground-floor text helpers: word counts, the aspect lexicon, sentiment, PII finding."""
