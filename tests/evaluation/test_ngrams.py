import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from reviewgen.evaluation.ngrams import CharNgramTfidf
from tests.evaluation.corpus import make_reviews

ODD = ["a", "I  am\tso   ok", "Éé ñ  ünï 😀 ok", "x y", "Done.", "done!", "NEW\nline  here"]


def test_matches_scikit_learn_char_wb_exactly():
    texts = [r.text for r in make_reviews(300, seed=5)] + ODD
    ours = CharNgramTfidf(ngram_range=(2, 5), min_df=2)
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    a, b = ours.fit_transform(texts), theirs.fit_transform(texts)
    names = list(ours.get_feature_names_out())
    assert sorted(names) == list(theirs.get_feature_names_out())
    order = np.argsort(names)
    assert np.abs(a[:, order] - b).max() < 1e-6


def test_min_df_and_names():
    vectorizer = CharNgramTfidf(ngram_range=(2, 3), min_df=2)
    matrix = vectorizer.fit_transform(["ab", "ab", "cd"])
    assert set(vectorizer.get_feature_names_out()) == {" a", "ab", "b ", " ab", "ab "}
    assert matrix.shape == (3, 5)
    assert matrix[2].nnz == 0


def test_nothing_frequent_raises():
    with pytest.raises(ValueError):
        CharNgramTfidf(min_df=2).fit_transform(["ab", "cd"])
