"""Speed, memory and quality benchmarks; ``python -m benchmarks.run_all`` runs them all.

Every figure is measured against a baseline in the same run on the same machine, because
absolute timings on a shared machine say little; the ratios are what the targets are about.
"""
