"""Signals of the distributed crawl (sent through ``crawler.signals``)."""

task_left_downloader = object()
"""A request taken from the shared queue has its outcome (response or final error).

Sent by :class:`crawler.distributed.middlewares.TaskDoneMiddleware` with ``request``; the
scheduler then counts the task as finished and will not give it back on commit.
"""
