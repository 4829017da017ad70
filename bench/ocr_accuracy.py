"""How well scanned tables are read: `python -m bench.ocr_accuracy`.

Dev PDF table pages are rebuilt as image-only PDFs (tests/scans.py) at several resolutions,
blurs and turns, and with their rules erased; their table figures are compared with the text layer's. Per scan: figures,
identical share, wrong figures marked unsure (low confidence or suspect) and unmarked, and the
recogniser's confidences of right and wrong figures — what LOW_CONFIDENCE is chosen from.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ingest.tables.scanned import LOW_CONFIDENCE
from tests.conftest import DEV_PDFS
from tests.scans import Scan, compare_scan

PUTUO = "sh_putuo_caizhengju_2024_dept_final.pdf"
GAOYUAN = "js_gaoyuan_2019_dept_budget.pdf"
SCANS = (
    Scan(PUTUO, (6, 8, 10, 12, 15, 16)),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), rotate=90),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), dpi=150),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), dpi=100),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), blur=1.5),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), blur=2.5),
    Scan(PUTUO, (6, 8, 10, 12, 15, 16), unruled=True),
    Scan(GAOYUAN, (8, 11, 13, 16, 17)),
    Scan(GAOYUAN, (8, 11, 13, 16, 17), dpi=150, rotate=270),
    Scan(GAOYUAN, (8, 11, 13, 16, 17), blur=2.0),
    Scan(GAOYUAN, (8, 11, 13, 16, 17), unruled=True),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/output"))
    args = parser.parse_args(argv)
    header = "| scan | figures | identical | wrong, marked | wrong, unmarked | lowest right conf. |"
    lines = [header + " wrong conf. | s |", "|---|---|---|---|---|---|---|---|"]
    right_low = []
    with tempfile.TemporaryDirectory() as tmp:
        for scan in SCANS:
            started = time.perf_counter()
            result = compare_scan(DEV_PDFS, scan, Path(tmp))
            seconds = time.perf_counter() - started
            right = sorted(result.right_confidences)
            right_low += [c for c in right if c < LOW_CONFIDENCE]
            wrong = ", ".join(f"{c:.3f}" for c in sorted(result.wrong_confidences)) or "—"
            lines.append(
                f"| {scan.name} | {result.original} | {result.identical_share:.1%} "
                f"| {result.marked_wrong} | {len(result.unmarked_wrong)} "
                f"{'; '.join(result.unmarked_wrong[:3])} | {right[0] if right else 0:.3f} "
                f"| {wrong} | {seconds:.0f} |"
            )
            print(lines[-1], flush=True)
    lines.append(f"\nRight figures below LOW_CONFIDENCE={LOW_CONFIDENCE}: {len(right_low)}.")
    report = "# Scanned tables against the text layer\n\n" + "\n".join(lines) + "\n"
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ocr_accuracy.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
