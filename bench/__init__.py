"""coprod's benchmarks: figures printed and written to ``bench/results.md``, never timed assertions in tests.

Run with ``make bench`` (the demo's 6 sites, and 60 synthetic ones) or ``make bench-large`` (600 sites too).
Each module measures one thing and returns its section of the results; :mod:`bench.run` puts them together.
"""
