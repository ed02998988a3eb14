"""Crawl extensions of scheduled runs: the run summary and progress logging."""
