"""Benchmark: what a tagged PDF costs (WeasyPrint's `pdf_tags` option).

The demo's readiness report (assessment 1, a 12-person workshop) in English and in
Persian, rendered from the same HTML without and with tags, interleaved, after one
warm-up each, with cyclic garbage collection off as in the app's rendering child. The
figure is the least time of RUNS renders each way (the least is the render least
disturbed by the rest of the machine) and their ratio, per language. Tags are worth
turning on (`printing/render.py: PDF_TAGS`) when the ratio stays within TARGET_RATIO in
both languages. Figures land in bench/results/tags.json.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

from measure import bench_app

RUNS = 5
TARGET_RATIO = 1.10
ASSESSMENT_ID = 1


def main() -> int:
    from assessment.extensions import db
    from assessment.printing.render import render_pdf_here
    from assessment.printing.report import build_html
    from assessment.tables import Assessment

    app = bench_app(demo=True)
    with app.app_context():
        assessment = db.session.get(Assessment, ASSESSMENT_ID)
        html = {lang: build_html(assessment, lang) for lang in ("en", "fa")}

    def render(source: str, tags: bool) -> tuple[float, int]:
        gc.disable()
        try:
            start = time.perf_counter()
            pdf = render_pdf_here(source, tags=tags)
            return time.perf_counter() - start, len(pdf)
        finally:
            gc.enable()
            gc.collect()

    figures: dict[str, object] = {"assessment": ASSESSMENT_ID, "runs": RUNS,
                                  "target_ratio": TARGET_RATIO}
    ok = True
    for lang, source in html.items():
        render(source, False)
        render(source, True)
        plain, tagged = [], []
        sizes = {}
        for _ in range(RUNS):
            seconds, sizes["plain"] = render(source, False)
            plain.append(seconds)
            seconds, sizes["tagged"] = render(source, True)
            tagged.append(seconds)
        ratio = min(tagged) / min(plain)
        ok = ok and ratio <= TARGET_RATIO
        figures[lang] = {
            "untagged_min_s": round(min(plain), 3),
            "tagged_min_s": round(min(tagged), 3),
            "ratio": round(ratio, 3),
            "untagged_kib": sizes["plain"] // 1024,
            "tagged_kib": sizes["tagged"] // 1024,
        }
        print(f"{lang}: untagged {min(plain):.2f} s, tagged {min(tagged):.2f} s, "
              f"ratio {ratio:.3f}", flush=True)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "tags.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"tagged PDF {'within' if ok else 'OVER'} {TARGET_RATIO:.2f}x the untagged render "
          "in both languages")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
