"""Per-source furniture in a real crawl: loopback sites whose stubs no cleaning rule knows.

Three sources of one user sources file are crawled together (``tests.crawl_runner``) with a
state folder and ``ECOPOLICY_FURNITURE_MIN_ARTICLES=2``: a Chinese site and an English site whose
articles carry a top line and a tail stub in phrasings the rules do not know, and a clean site
of policy notices that share their formulae (addressee, numbered headings, 特此通知, issuing
body, signature date) but no furniture. A second crawl of the same sites shows that fetching
the articles again adds nothing to the counts (and that the first article, which kept its stub,
comes out again cleaned, as a new version), and ``ecopolicy extract --state`` uses the
counts on a saved page without adding to them. A scale-out crawl (two workers, Redis db 15 under
its own key prefix, deleted afterwards; skipped without a Redis) shares one set of counts.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from pipelines import clean_paragraphs
from tests.sitegen import article_text

from .conftest import REPO, run_cli
from .loopback import LoopbackServer

pytestmark = pytest.mark.slow

ZH_TOP = "本站文字均经江河观察编辑部核校，引用须经书面许可。"
ZH_STUB = "江河观察：报告共{pages}页，限注册机构"  # the count differs per article
EN_TOP = "Pass this on: Mastodon · Bluesky · LinkedIn"
EN_STUB = "Riverwatch Circle members can open the remaining pages of this dossier"
NOTICE_LINES = ("各省、自治区、直辖市生态环境厅（局）：", "一、总体要求", "特此通知。", "生态环境部办公厅")
ARTICLES = 4
REDIS_URL = "redis://127.0.0.1:6379/15"


def page(title: str, date: str, paragraphs: list[str]) -> str:
    """A TRS-style article page (ArticleTitle/PubDate meta, TRS_Editor body)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date} 10:00">'
        f'</head><body><h1>{title}</h1><div class="TRS_Editor">{body}</div></body></html>'
    )


def zh_body(n: int) -> list[str]:
    zh, _ = article_text(f"zh{n}")
    second, _ = article_text(f"zh{n}b")
    return [ZH_TOP, zh, second, f"第{n}批项目名单将另行公布，请各单位做好准备工作。", zh_stub(n)]


def zh_stub(n: int) -> str:
    """Article *n*'s stub: one phrasing, with the page count of that article's report."""
    return ZH_STUB.format(pages=20 + 3 * n)


def en_body(n: int) -> list[str]:
    _, first = article_text(f"en{n}")
    _, second = article_text(f"en{n}b")
    return [EN_TOP, first, second, f"The agency will publish its review of batch {n} next spring.", EN_STUB]


def notice_body(n: int) -> list[str]:
    zh, _ = article_text(f"notice{n}")
    addressee, heading, closing, issuer = NOTICE_LINES
    return [addressee, heading, zh, closing, issuer, f"2024年5月{n + 1}日"]


SITES = {
    "lb_furn_zh": ("zh", zh_body),
    "lb_furn_en": ("en", en_body),
    "lb_clean": ("zh", notice_body),
}


def publish(server: LoopbackServer) -> str:
    """Routes for every site; returns the sources file text."""
    entries = []
    for key, (language, body) in SITES.items():
        links = []
        for n in range(1, ARTICLES + 1):
            path = f"/{key}/202405/t2024050{n}_{n}.html"
            server.routes[path] = page(f"{key} 文章 {n}", f"2024-05-0{n}", body(n))
            links.append(f'<li><a href="{path}">{key} {n}</a><span>2024-05-0{n}</span></li>')
        server.routes[f"/{key}/index.html"] = f"<html><body><ul>{''.join(links)}</ul></body></html>"
        entries.append(
            f'[[source]]\nkey = "{key}"\nname = "Loopback {key}"\nlanguage = "{language}"\n'
            f'timezone = "Asia/Shanghai"\nallowed_domains = ["127.0.0.1"]\nfamily = "trs"\n'
            f'[[source.list_pages]]\nurl = "{server.base_url}/{key}/index.html"\nmax_pages = 1\n'
            "[source.politeness]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n"
        )
    return "\n".join(entries)


def crawl(tmp, sources, state, name: str, **settings: object) -> dict:
    spec = {
        "settings": {
            **settings,
            "ECOPOLICY_SOURCES_FILES": [str(sources)],
            "ECOPOLICY_OUTPUT_ENABLED": False,
            "ECOPOLICY_STATE_DIR": str(state),
            "ECOPOLICY_FURNITURE_MIN_ARTICLES": 2,
            "ECOPOLICY_NEARDUP_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        },
        "crawls": [{"source": key} for key in SITES],
    }
    (tmp / f"{name}.json").write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("ECOPOLICY_REDIS_URL", None)
    spec_path, out_path = str(tmp / f"{name}.json"), str(tmp / f"{name}-out.json")
    done = subprocess.run(
        [sys.executable, "-m", "tests.crawl_runner", spec_path, out_path],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads((tmp / f"{name}-out.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("furniture")
    with LoopbackServer() as server:
        sources = tmp / "sources.toml"
        sources.write_text(publish(server), encoding="utf-8")
        state = tmp / "state"
        first = crawl(tmp, sources, state, "first")
        db = sqlite3.connect(state / "furniture.sqlite3")
        after_first = db.execute("SELECT * FROM furniture_lines ORDER BY 1, 2").fetchall()
        # a revisit interval of 0 days fetches every known article again (otherwise the polite
        # repeat run would not request them: their listing dates are not newer)
        second = crawl(tmp, sources, state, "second", ECOPOLICY_REVISIT_DAYS=0)
        after_second = db.execute("SELECT * FROM furniture_lines ORDER BY 1, 2").fetchall()
        articles = dict(db.execute("SELECT source, articles FROM furniture_sources").fetchall())
        db.close()
        yield {"tmp": tmp, "sources": sources, "state": state, "first": first, "second": second,
               "lines": (after_first, after_second), "articles": articles, "server": server}  # fmt: skip


def test_the_stubs_are_unknown_to_the_cleaning_rules():
    for body in (zh_body(1), en_body(1)):
        result = clean_paragraphs(body)
        assert result.removed == {}
        assert body[0] in result.paragraphs
        assert body[-1] in result.paragraphs


def _stub_of(key: str, item: dict) -> str:
    """The stub as that article printed it (the Chinese one carries its own page count)."""
    if key == "lb_furn_en":
        return EN_STUB
    n = int(item["url"].rsplit("_", 1)[1].split(".")[0])
    return zh_stub(n)


@pytest.mark.parametrize(("key", "top"), [("lb_furn_zh", ZH_TOP), ("lb_furn_en", EN_TOP)])
def test_furniture_is_removed_from_the_second_article_on_with_an_audit_entry(crawled, key, top):
    items = crawled["first"][key]["items"]  # in the order the pipelines saw them
    assert len(items) == ARTICLES
    assert top in items[0]["paragraphs"]
    assert _stub_of(key, items[0]) in items[0]["paragraphs"]
    assert items[0]["removed"] == []
    if key == "lb_furn_zh":  # one phrasing, a different count on every article: learned as one line
        assert len({_stub_of(key, item) for item in items}) == ARTICLES
    for seen, item in enumerate(items[1:], start=2):
        stub = _stub_of(key, item)
        assert top not in item["paragraphs"]
        assert stub not in item["paragraphs"]
        reason = f"seen on {seen} articles of {key}"
        audit = [(e["text"], e["step"], e["reason"]) for e in item["removed"]]
        assert audit == [(top, "furniture", reason), (stub, "furniture", reason)]
        assert item["cleaning"]["furniture/removed"] == 2
        assert len(item["paragraphs"]) == 3  # the article's own lines stay, the numbered one too
        assert any("批" in p or "batch" in p for p in item["paragraphs"])
    stats = crawled["first"][key]["stats"]
    assert stats["cleaning/furniture/removed"] == 2 * (ARTICLES - 1)
    assert stats["furniture/learned/articles"] == ARTICLES


def test_a_clean_site_sharing_document_formulae_is_untouched(crawled):
    result = crawled["first"]["lb_clean"]
    assert len(result["items"]) == ARTICLES
    assert "cleaning/furniture/removed" not in result["stats"]
    assert result["stats"]["furniture/learned/articles"] == ARTICLES
    for item in result["items"]:
        assert item["removed"] == []
        for line in NOTICE_LINES:
            assert line in item["paragraphs"]


def test_fetching_the_articles_again_adds_nothing_to_the_counts(crawled):
    after_first, after_second = crawled["lines"]
    assert after_first == after_second
    assert crawled["articles"] == dict.fromkeys(SITES, ARTICLES)
    # the furniture lines were counted once per article, not once per fetch
    assert max(row[2] for row in after_first if row[0] == "lb_furn_zh") == ARTICLES


def test_a_refetch_of_the_first_article_emits_it_cleaned_as_a_new_version(crawled):
    for key, top in (("lb_furn_zh", ZH_TOP), ("lb_furn_en", EN_TOP)):
        first = crawled["first"][key]["items"][0]
        (again,) = crawled["second"][key]["items"]  # the other articles are unchanged: dropped
        assert again["id"] == first["id"]
        assert again["version"] == 2
        assert top not in again["paragraphs"]
        assert _stub_of(key, first) not in again["paragraphs"]
        assert crawled["second"][key]["stats"]["seen/unchanged"] == ARTICLES - 1
    assert crawled["second"]["lb_clean"]["items"] == []


def test_extract_with_the_state_folder_uses_the_learned_counts_read_only(crawled, tmp_path):
    saved = tmp_path / "new.html"
    saved.write_text(page("新文章", "2024-05-09", zh_body(9)), encoding="utf-8")
    db_path = crawled["state"] / "furniture.sqlite3"
    before = db_path.read_bytes()
    url = f"{crawled['server'].base_url}/lb_furn_zh/202405/t20240509_9.html"
    args = [
        "extract",
        str(saved),
        "--url",
        url,
        "--sources",
        str(crawled["sources"]),
        "--source",
        "lb_furn_zh",
    ]
    done = run_cli(*args, "--state", str(crawled["state"]))
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads(done.stdout)
    assert ZH_TOP not in record["paragraphs"]
    assert zh_stub(9) not in record["paragraphs"]
    assert {e["reason"] for e in record["removed"]} == {f"seen on {ARTICLES + 1} articles of lb_furn_zh"}
    assert db_path.read_bytes() == before  # extract does not learn
    plain = json.loads(run_cli(*args).stdout)
    assert zh_stub(9) in plain["paragraphs"]  # without the state folder nothing is learned


def test_extract_with_a_state_folder_holding_no_counts_is_a_configuration_error(tmp_path):
    saved = tmp_path / "page.html"
    saved.write_text(page("t", "2024-05-09", zh_body(1)), encoding="utf-8")
    done = run_cli("extract", str(saved), "--source", "demo", "--state", str(tmp_path / "empty"))
    assert done.returncode == 2
    assert "no furniture counts" in done.stderr


def test_scale_out_workers_share_the_counts_in_redis(crawled, redis_prefixed, tmp_path):
    client, prefix = redis_prefixed
    output = tmp_path / "out"
    done = run_cli(
        "crawl", "--sources", str(crawled["sources"]), "--source", "lb_furn_en", "--output", str(output),
        "--redis", REDIS_URL, "--workers", "2", "--loglevel", "WARNING",
        "-s", f"ECOPOLICY_REDIS_PREFIX={prefix}", "-s", "ECOPOLICY_FURNITURE_MIN_ARTICLES=2",
        "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "-s", "SCHEDULER_IDLE_BEFORE_CLOSE=0.5",
        "-s", "ECOPOLICY_REDIS_HEARTBEAT=0.5", "-s", "ECOPOLICY_REDIS_WORKER_TTL=3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for path in output.rglob("*.jsonl") for line in path.read_text("utf-8").splitlines()]
    items = [json.loads(line) for line in lines]
    assert len(items) == ARTICLES
    kept = [item for item in items if EN_STUB in item["paragraphs"]]
    assert len(kept) <= 1  # two workers may both judge after both counted: then none keeps it
    for item in items:
        if item in kept:
            continue
        reasons = {e["text"]: e["reason"] for e in item["removed"]}
        assert set(reasons) == {EN_TOP, EN_STUB}
        assert int(reasons[EN_STUB].split()[2]) >= 2
    counts = client.hvals(f"{prefix}:furniture:lb_furn_en:lines")
    assert max(int(n) for n in counts) == ARTICLES  # one count per article, across both workers
    assert int(client.get(f"{prefix}:furniture:lb_furn_en:n")) == ARTICLES
