"""Identity and politeness: the User-Agent a crawl announces, and a source's own limits.

Settings: ECOPOLICY_CONTACT (str: URL or e-mail where site owners reach whoever runs the crawl),
USER_AGENT (left alone when set explicitly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.sources.base import Source

DEFAULT_CONTACT = "https://github.com/ecopolicy-crawler/ecopolicy-crawler"
USER_AGENT_TEMPLATE = "ecopolicy-crawler/0.1 (research corpus of environmental policy; +{contact})"


def user_agent(contact: str) -> str:
    """The descriptive User-Agent naming *contact*.

    >>> user_agent("mailto:corpus@example.org")
    'ecopolicy-crawler/0.1 (research corpus of environmental policy; +mailto:corpus@example.org)'
    """
    return USER_AGENT_TEMPLATE.format(contact=contact)


def apply_politeness(settings: Settings, source: Source) -> None:
    """Derive the User-Agent from ECOPOLICY_CONTACT, then apply the source's overrides.

    An explicitly set USER_AGENT (priority above the project's) is kept as given.
    """
    contact = settings.get("ECOPOLICY_CONTACT") or DEFAULT_CONTACT
    if settings.getpriority("USER_AGENT") is None or (settings.getpriority("USER_AGENT") or 0) <= 20:
        settings.set("USER_AGENT", user_agent(contact), priority="project")
    for name, value in source.politeness.items():
        settings.set(name, value, priority="spider")
