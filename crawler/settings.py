"""Scrapy settings of the ecopolicy crawler, and its own ``ECOPOLICY_*`` settings.

Politeness defaults suit government portals: robots.txt obeyed, a descriptive User-Agent with
a contact, AutoThrottle, and a few requests per domain at a time. A source's registry entry
may override any of these for its own crawl (``Source.politeness``).
"""

from __future__ import annotations

import os

from crawler.items import RECORD_FIELDS
from crawler.politeness import DEFAULT_CONTACT, user_agent
from pipelines import CLEANING_PIPELINES

BOT_NAME = "ecopolicy"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- identity and politeness -------------------------------------------------------------
ECOPOLICY_CONTACT = DEFAULT_CONTACT
USER_AGENT = user_agent(ECOPOLICY_CONTACT)  # re-derived by the spider when ECOPOLICY_CONTACT is changed
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port on a crawl machine unless asked for
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalUrlFingerprinter"
LOG_LEVEL = "INFO"
# A crawl shows warnings and these loggers' INFO lines (progress, files written), not Scrapy's
# start-up, per-page and stats dumps, unless --loglevel, -s LOG_LEVEL or LOG_FILE is given
# (crawler/logs.py).
ECOPOLICY_INFO_LOGGERS = ["crawler.extensions.progress", "crawler.feeds", "crawler.extensions.summary"]
ECOPOLICY_QUIET_TRACEBACKS = ["scrapy.downloadermiddlewares.robotstxt"]

# --- extraction off the reactor --------------------------------------------------------------
ECOPOLICY_EXTRACT_WORKERS: int | None = None
"""Worker processes extracting articles and cleaning them ahead (crawler.pool): None = the
machine's cores minus one; 0 extracts and cleans in the crawl process; 1 already
moves that work off the reactor's core."""
ECOPOLICY_EXTRACT_QUEUE_DEPTH = 8
"""Pages per worker that may wait for an answer; the crawl process extracts a page itself when
that many are waiting, so both the reactor's core and the workers' stay busy (0: never)."""

# --- pipelines -----------------------------------------------------------------------------
# Cleaning steps (50-590) come from the pipelines package; the record is then finalised
# (text, content hash) and validated against the published schema before it is exported.
# Since/seen/near-duplicate steps (650-750) are the stateful ones of scheduled runs (below).
# Every item pipeline is synchronous, so the items of one response (an article gives one
# record) are never processed side by side; Scrapy starts CONCURRENT_ITEMS asyncio tasks for
# every response's output, and its default of 100 made that bookkeeping a large part of the
# crawl process's own work.
CONCURRENT_ITEMS = 8
ITEM_PIPELINES = {
    **CLEANING_PIPELINES,
    "pipelines.finalise.FinalisePipeline": 600,
    "pipelines.since.SincePipeline": 650,
    "pipelines.seen.SeenPipeline": 700,
    "pipelines.neardup.NearDuplicatePipeline": 750,
    "pipelines.validate.SchemaValidationPipeline": 900,
}

# --- output ----------------------------------------------------------------------------------
# One dated JSONL file per source and run; ``%(crawl_date)s``, ``%(source)s`` and ``%(run_id)s``
# come from crawler.feeds.uri_params. Files are written aside and renamed when complete.
ECOPOLICY_OUTPUT_DIR = "output"
ECOPOLICY_OUTPUT_TEMPLATE = "%(crawl_date)s/%(source)s-%(run_id)s.jsonl"
FEED_URI_PARAMS = "crawler.feeds.uri_params"
FEED_STORAGES = {"": "crawler.feeds.AtomicFileFeedStorage", "file": "crawler.feeds.AtomicFileFeedStorage"}
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(RECORD_FIELDS)
FEED_STORE_EMPTY = False
# FEEDS itself is derived from ECOPOLICY_OUTPUT_DIR/TEMPLATE by the spider when not set.

ECOPOLICY_OFFLINE_PORT = 8741
"""Loopback port the demo site is served on, so its record ids stay the same from run to run
(a free port, with other ids, when it is taken)."""
ECOPOLICY_OFFLINE = False
"""True when records are produced outside a crawl (``ecopolicy extract``): stateful steps
(seen-store, cross-article duplicates) stand down with NotConfigured."""

# --- sources, discovery and politeness (sources registry) --------------------------------------
ECOPOLICY_SOURCES_FILES: list[str] = []
"""User TOML files of extra sources (``--sources FILE``); same fields and checks as built-ins."""
ECOPOLICY_SINCE = ""
"""Date horizon YYYY-MM-DD: older feed/sitemap entries are skipped and list paging stops."""
ECOPOLICY_DISCOVERY_MAX_PAGES = 0
"""Cap on list/API pages per start point for every source (0: each source's own limit)."""
ECOPOLICY_CHECK_ARTICLES = 0
"""When > 0, the crawl is a health check: this many articles per source, no records written."""
ECOPOLICY_CHECK_LIST_PAGES = 1
ECOPOLICY_BLOCKED_ENABLED = True
ECOPOLICY_RETRY_MAX_DELAY = 120.0
"""Longest wait (seconds) before a retry; a longer Retry-After gives the request up."""
ECOPOLICY_RETRY_BASE_DELAY = 1.0
# All the project's downloader middlewares. The redirect guard sees 3xx answers before
# RedirectMiddleware (600): process_response runs from high to low order, so 650 is earlier;
# offsite and looping redirects fail the article with a reason. Conditional requests (580) and
# the revisit policy for known articles (585, crawler.revisit) serve scheduled runs (below).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.blocked.BlockedAnswerMiddleware": 540,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 580,
    "crawler.revisit.RevisitMiddleware": 585,
    "crawler.middlewares.redirects.RedirectGuardMiddleware": 650,
    # a gzip body cut short fails the request instead of giving a truncated article
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.compression.CompleteBodyCompressionMiddleware": 590,
}

# --- scheduled runs: seen-store, conditional requests, near-duplicates, summary, progress ------
# Stateful steps stand down (NotConfigured) without ECOPOLICY_STATE_DIR (SQLite) or
# ECOPOLICY_REDIS_URL, and when ECOPOLICY_OFFLINE is set: a plain ``scrapy crawl`` emits everything.
ECOPOLICY_STATE_DIR = None
ECOPOLICY_OUTPUT_GZIP = False
ECOPOLICY_SEEN_LOG_LEVEL = "DEBUG"
ECOPOLICY_CONDITIONAL_KINDS = ["list", "feed", "sitemap", "attachment"]
ECOPOLICY_NEARDUP_THRESHOLD = 0.8
ECOPOLICY_PROGRESS_INTERVAL = 60.0
ECOPOLICY_PROGRESS_FIRST = 5.0  # seconds to the first progress line
ECOPOLICY_RUN_KIND = "crawl"  # in the run summary; report and status read only "crawl" runs
# Known articles: skipped when their listing shows no change, else asked conditionally.
ECOPOLICY_REVISIT_DAYS = 30.0
"""Days between full fetches of a known article (a source may set its own in [politeness])."""
EXTENSIONS = {
    "crawler.extensions.summary.RunSummary": 500,
    "crawler.extensions.progress.ProgressLog": 500,
    "crawler.extensions.collector.CollectorTuning": 500,
    "crawler.logs.SkipUnemittedRecords": 0,
}

# Young collections every 10,000 net allocations instead of 700, startup objects frozen: the
# reactor thread spent a tenth of its time in the collector (crawler/extensions/collector.py).
ECOPOLICY_GC_YOUNG_THRESHOLD = 10_000

# --- per-source furniture (pipelines/furniture.py) ----------------------------------------------
# Lines recurring across a source's articles are removed (counts in the state store). Three
# articles, not two: one coincidence (a follow-up quoting a line, one article at two URLs) must
# not cut text; a share of 0.2 of the articles since the line first appeared keeps a line that
# stopped recurring, while a stub on the paywalled fifth of a site is still caught.
ECOPOLICY_FURNITURE_ENABLED = True
ECOPOLICY_FURNITURE_MIN_ARTICLES = 3
ECOPOLICY_FURNITURE_MIN_SHARE = 0.2
ECOPOLICY_FURNITURE_MAX_REMOVED_SHARE = 0.5
ECOPOLICY_FURNITURE_EDGE = 3

# --- scale-out (scrapy-redis) ---------------------------------------------------------------
# Empty: one process, Scrapy's scheduler. A Redis URL (``ecopolicy crawl --redis URL`` or this
# environment variable) switches the crawl to the shared scrapy-redis scheduler, dupe filter
# and queue through the add-on below; see docs/scale-out.md and crawler/distributed/.
ECOPOLICY_REDIS_URL = os.environ.get("ECOPOLICY_REDIS_URL", "")
ECOPOLICY_REDIS_PREFIX = "ecopolicy"
ECOPOLICY_REDIS_HEARTBEAT = 1.0
ECOPOLICY_REDIS_WORKER_TTL = 15.0
ECOPOLICY_REDIS_IDLE_POLL = 0.2
SCHEDULER_IDLE_BEFORE_CLOSE = 1
ADDONS = {"crawler.distributed.addon.ScaleOutAddon": 0}

# --- attachments (policy documents) -------------------------------------------------------------
# Documents that articles link to (PDF, Word, spreadsheets, OFD) become records of kind
# "attachment" for sources with fetch_attachments (built-in government sources by default);
# see crawler/attachments.py and crawler/documents/.
ECOPOLICY_ATTACHMENTS_ENABLED = True
ECOPOLICY_ATTACHMENTS_MAXSIZE = 32 * 1024 * 1024
ECOPOLICY_ATTACHMENTS_MAX_PAGES = 300
ECOPOLICY_ATTACHMENTS_OCR = False  # scans are flagged needs_ocr; True reads them with Tesseract if installed
SPIDER_MIDDLEWARES = {"crawler.attachments.AttachmentMiddleware": 600}

# --- delivery and run outcome -----------------------------------------------------------------
# Scrapy's feed exporter, replaced by one that counts delivered records (``output/delivered``,
# ``output/lost``) and stops the crawl at the first write error (see crawler.feeds).
from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS  # noqa: E402

EXTENSIONS_BASE = {
    ("crawler.feeds.DeliveringFeedExporter" if path.endswith(".FeedExporter") else path): order
    for path, order in _SCRAPY_EXTENSIONS.items()
}

# --- bounds on one input ------------------------------------------------------------------------
ECOPOLICY_DISCOVERY_MAX_URLS = 50_000
"""Article links taken from one sitemap or feed (newest first); the sitemap protocol's limit."""
ECOPOLICY_DISCOVERY_MAX_ARTICLES = 0
"""Distinct article URLs one run takes from all of its discovery (0: no cap). Links past it are
named in the log and counted in discovery/over_run_cap; the run is then ``partial``."""
ECOPOLICY_EXTRACT_MAX_BYTES = 16 * 1024 * 1024
"""Largest page extracted (bytes); larger ones are dropped as ``too_large``."""
ECOPOLICY_EXTRACT_MAX_ELEMENTS = 50_000
ECOPOLICY_EXTRACT_MAX_PARAGRAPHS = 10_000
ECOPOLICY_VALIDATE_MAX_LINE_BYTES = 32 * 1024 * 1024
ECOPOLICY_VALIDATE_MAX_BYTES = 1024 * 1024 * 1024
ECOPOLICY_VALIDATE_MAX_PROBLEMS = 100
ECOPOLICY_REDIS_OUTAGE_TIMEOUT = 30.0
"""Seconds Redis may stay unreachable before a distributed worker closes with redis_unavailable."""

# --- bounded memory ----------------------------------------------------------------------------
# Pending requests wait in a private disk queue (crawler.scheduler), not in memory, unless
# another scheduler (scale-out, JOBDIR) is in use.
ECOPOLICY_DISK_QUEUE = True
SCHEDULER_DISK_QUEUE = "crawler.scheduler.MethodNameLifoDiskQueue"  # Scrapy's, callbacks named once
ADDONS["crawler.scheduler.DiskQueueAddon"] = 10
ADDONS["crawler.dupefilter.NamingDupeFilterAddon"] = 10  # an article merged by a redirect is named
