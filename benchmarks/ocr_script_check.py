"""What the Arabic check (service/pipeline/ocr_script.py) costs and decides on pages
without Arabic: the first page of each PDF of a folder rendered at 300 DPI (and, with
--phone, made to look like a phone photo), read once with deu+eng as folio reads it;
per page the doubtful words, the check's CPU time and its verdict.

    python -m benchmarks.ocr_script_check /work/corpora/zugferd --limit 30 [--phone]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks.corpus.variants import DPI, gray_pages, phone_look
from service.pipeline.ocr_script import doubtful, has_arabic
from service.pipeline.tesseract import read_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--phone", action="store_true")
    parser.add_argument("--min-words", type=int, default=1,
                        help="doubtful words before the check runs (1: run it on every page)")
    args = parser.parse_args()
    rng = random.Random(7)
    pdfs = sorted(args.folder.rglob("*.pdf"))[: args.limit]
    reads, checks, counts, arabic = [], [], [], []
    for pdf in pdfs:
        try:
            page = gray_pages(pdf, 1)[0]
        except Exception:
            continue
        if args.phone:
            page = phone_look(page, rng).copy_memory()
        start = time.process_time()
        reading = read_page(page, "de", dpi=DPI, readings=1, script_check=0)
        reads.append(time.process_time() - start)
        start = time.process_time()
        found = has_arabic(page, reading.text, DPI, args.min_words)
        checks.append(time.process_time() - start)
        counts.append(len(doubtful(reading.text)))
        arabic.append(found)
        print(f"{pdf.name}: {counts[-1]} doubtful of {len(reading.text.words)}, "
              f"check {1000 * checks[-1]:.0f} ms, read {reads[-1]:.2f} s"
              + (" ARABIC" if found else ""), flush=True)
    print(f"\n{len(reads)} pages ({'phone' if args.phone else 'renders'}): reading "
          f"{statistics.fmean(reads):.3f} CPU-s/page; check {1000 * statistics.fmean(checks):.1f} "
          f"ms/page when run on every page ({100 * sum(checks) / sum(reads):.1f}%); doubtful "
          f"words median {statistics.median(counts)}, max {max(counts)}; called Arabic: "
          f"{sum(arabic)}")


if __name__ == "__main__":
    sys.exit(main())
