"""Downloader middlewares of the crawl: blocked-answer detection and polite retries."""
