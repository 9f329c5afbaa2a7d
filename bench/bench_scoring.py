"""Benchmark: score 100 respondents x 120 questions for all views (target: median <= 50 ms).

Run with `make bench`. Builds a 120-question questionnaire from the shipped workshop set
(cycling its questions under new ids when it has fewer), random but seeded answers with
some 'na'/'unknown'/unanswered, and times `scoring.score` (every view: questions, stages,
five models, gates, priorities) plus `to_dict()` for JSON.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from assessment.answers import NA, UNKNOWN
from assessment.catalog import load_catalog
from assessment.scoring import score

RESPONDENTS = 100
QUESTIONS = 120
RUNS = 50
TARGET_MS = 50.0


def main() -> int:
    catalog = load_catalog(include_user_dir=False)
    base = catalog.questionnaires["workshop"]
    questions = [
        q if i < len(base.questions) else q.model_copy(update={"id": f"{q.id}-x{i}"})
        for i, q in ((i, base.questions[i % len(base.questions)]) for i in range(QUESTIONS))
    ]
    questionnaire = base.model_copy(update={"id": "bench", "questions": questions})
    catalog = replace(catalog, questionnaires={**catalog.questionnaires, "bench": questionnaire})

    rng = random.Random(2026)
    responses = {}
    for r in range(RESPONDENTS):
        answers = {}
        for q in questions:
            roll = rng.random()
            if roll < 0.04:
                continue
            answers[q.id] = NA if roll < 0.07 else UNKNOWN if roll < 0.10 else rng.randint(0, 5)
        responses[f"respondent-{r}"] = answers
    targets = {"vision": 4, "strategy": 4, "technology": 3}

    score(catalog, questionnaire, responses, targets=targets)  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = score(catalog, questionnaire, responses, targets=targets)
        result.to_dict()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    figures = {
        "respondents": RESPONDENTS,
        "questions": QUESTIONS,
        "answers": sum(len(a) for a in responses.values()),
        "runs": RUNS,
        "median_ms": round(median, 2),
        "p95_ms": round(times[int(0.95 * (RUNS - 1))], 2),
        "min_ms": round(times[0], 2),
        "target_ms": TARGET_MS,
        "median_over_target": round(median / TARGET_MS, 3),
        "models": len(result.models),
        "priorities": len(result.priorities),
    }
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "scoring.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    verdict = "meets" if median <= TARGET_MS else "MISSES"
    print(f"scoring {RESPONDENTS}x{QUESTIONS}: median {median:.1f} ms, {verdict} the "
          f"{TARGET_MS:.0f} ms target")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
