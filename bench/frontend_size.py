"""Gzipped size of the JS and CSS a first visit loads (issue 6 target: at most 150 KB).

Reads frontend/dist/index.html, the page every visit starts from, and counts what it
references: the entry script, its modulepreloaded chunks and the stylesheets. Screens
loaded on demand later (charts, clinician, care team) are listed apart and not counted.
Run `make frontend` first.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
TARGET_BYTES = 150 * 1024


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in {"stylesheet", "modulepreload"}:
            self.assets.append(a["href"])


def first_visit_assets(dist: Path = DIST) -> list[Path]:
    parser = _AssetLinks()
    parser.feed((dist / "index.html").read_text(encoding="utf-8"))
    paths = []
    for url in parser.assets:
        if url.startswith(("http://", "https://", "//")):
            continue  # nothing is loaded from elsewhere; count only what we serve
        path = dist / url.split("?")[0].lstrip("/")
        if path.suffix in {".js", ".css"}:
            paths.append(path)
    return paths


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def run() -> None:
    print("Frontend: JS and CSS loaded on first visit (gzip -9)")
    if not (DIST / "index.html").exists():
        print(f"  {DIST / 'index.html'} is missing: run `make frontend` first")
        return
    first = first_visit_assets()
    total = 0
    for path in first:
        size = gzipped(path)
        total += size
        print(f"  {path.relative_to(DIST)}: {path.stat().st_size / 1024:.1f} KB raw, {size / 1024:.1f} KB gzipped")
    verdict = "within" if total <= TARGET_BYTES else "OVER"
    print(f"  first visit total: {total / 1024:.1f} KB gzipped ({verdict} the {TARGET_BYTES // 1024} KB target)")
    later = [p for p in sorted((DIST / "assets").iterdir()) if p.suffix in {".js", ".css"} and p not in first]
    lazy = sum(gzipped(p) for p in later)
    print(f"  loaded on demand later (charts, clinician, care, reminders, settings): {lazy / 1024:.1f} KB gzipped")


if __name__ == "__main__":
    run()
