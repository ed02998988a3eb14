"""Scale-out: one crawl shared by many worker processes and machines through Redis.

Built on scrapy-redis (its scheduler, dupe filter and queue classes, subclassed) and enabled
by the :class:`crawler.distributed.addon.ScaleOutAddon` when ``ECOPOLICY_REDIS_URL`` is set.
See ``docs/scale-out.md`` for running, keys, progress and clearing a crawl.
"""
