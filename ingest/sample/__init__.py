"""The sample center generator: a simulated call center's exports in the canonical form of SOURCES.md.

    from ingest.sample import generate_center, GenerationSummary
    summary = generate_center(Path("data/landing"), agents=12, days=31)

Used by the demo, the tests and the benchmarks; `tilsyn generate` is its command line.
"""

from ingest.sample.generate import generate_center
from ingest.sample.output import GenerationSummary

__all__ = ["GenerationSummary", "generate_center"]
