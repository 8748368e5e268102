"""reviewgen: realistic synthetic product reviews from an agentic LLM pipeline.

Every record it writes is synthetic and marked so; the data is for building and testing
systems, not for posting as real reviews.
"""

__version__ = "0.1.0"
