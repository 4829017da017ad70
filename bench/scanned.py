"""Ingestion speed of a scanned disclosure: `python -m bench.ingest --scanned [--pages 30]`.

A dev 部门决算 (all its pages, then its table pages again up to --pages) is rendered at 200 dpi
and rebuilt as an image-only PDF, then ingested in a fresh process into a fresh data dir (the
embedding model loaded and warmed first; the OCR models load inside the clock, as they do on a
first upload). Reported: pages/s, peak RSS of that process, and the share of the time spent in
text recognition (`ingest.load.ocr.recognise`). Target: 30 pages < 90 s, peak RSS < 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (
    ROOT.parent / "shared" / "corpus" / "dev" / "pdf" / "sh_putuo_caizhengju_2024_dept_final.pdf"
)
TABLE_PAGES = (6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20)
DPI = 200


@dataclass
class ScanRun:
    pages: int
    status: str
    seconds: float  # the whole ingestion: load (with OCR), tables, facts, chunks, embed, store
    ocr_seconds: float  # inside the recogniser
    load_seconds: float
    peak_rss_mb: float
    tables: int
    facts: int
    threads: int


def build_scan(path: Path, pages: int) -> None:
    """An image-only PDF of `pages` pages of the dev 决算."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(SOURCE)
    numbers = list(range(1, len(pdf) + 1))
    numbers += [TABLE_PAGES[i % len(TABLE_PAGES)] for i in range(max(0, pages - len(numbers)))]
    images = [pdf[n - 1].render(scale=DPI / 72).to_pil().convert("L") for n in numbers[:pages]]
    pdf.close()
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=DPI)


def run(path: Path, data_dir: Path) -> ScanRun:
    """Ingest the scan, timing the recogniser on the side."""
    from gongkai.settings import get_settings
    from ingest.load import scan
    from ingest.pipeline import ingest_file, open_stores

    settings = get_settings(data_dir=data_dir)
    stores = open_stores(settings)
    stores.embedder.embed_documents(["预热"])  # the embedding model is warm in a running app
    spent = [0.0]
    recognise = scan.recognise

    def timed(image):
        started = time.perf_counter()
        try:
            return recognise(image)
        finally:
            spent[0] += time.perf_counter() - started

    scan.recognise = timed
    started = time.perf_counter()
    result = ingest_file(path, stores, settings)
    seconds = time.perf_counter() - started
    return ScanRun(
        pages=_page_count(path),
        status=result.status if not result.error else result.error,
        seconds=seconds,
        ocr_seconds=spent[0],
        load_seconds=result.timings.get("load", 0.0),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        tables=result.tables,
        facts=result.facts,
        threads=os.cpu_count() or 0,
    )


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def report(result: ScanRun) -> str:
    rows = [
        ("pages", f"{result.pages}"),
        ("status", result.status),
        ("ingestion, s", f"{result.seconds:.1f}"),
        ("pages/s", f"{result.pages / result.seconds:.2f}"),
        ("OCR share of the time", f"{result.ocr_seconds / result.seconds:.0%}"),
        ("load stage (render + OCR + layout), s", f"{result.load_seconds:.1f}"),
        ("peak RSS, MB", f"{result.peak_rss_mb:.0f}"),
        ("tables / facts", f"{result.tables} / {result.facts}"),
        ("CPUs", f"{result.threads}; 1-minute load average {os.getloadavg()[0]:.1f} at end"),
    ]
    lines = ["# Scanned ingestion benchmark", "", "| measure | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines.append("\nTarget: 30 pages < 90 s, peak RSS < 1.5 GB.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "output")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.worker:
        outcome = run(args.worker, args.data_dir)
        args.result.write_text(json.dumps(asdict(outcome), ensure_ascii=False), encoding="utf-8")
        return
    if not SOURCE.is_file():
        sys.exit(f"the dev corpus is not beside the checkout: {SOURCE}")
    with tempfile.TemporaryDirectory(prefix="gongkai-scan-") as tmp:
        work = Path(tmp)
        scan = work / f"scanned_{args.pages}p.pdf"
        build_scan(scan, args.pages)
        result_file = work / "result.json"
        command = [
            sys.executable,
            "-m",
            "bench.scanned",
            "--worker",
            str(scan),
            "--data-dir",
            str(work / "data"),
            "--result",
            str(result_file),
        ]
        subprocess.run(command, cwd=ROOT, check=True)
        result = ScanRun(**json.loads(result_file.read_text(encoding="utf-8")))
    text = report(result)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest_scanned.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
