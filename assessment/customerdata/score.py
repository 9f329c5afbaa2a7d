"""The measured data level (0-5): what the file shows of the customer data, on the same
scale as the data stage's answers.

Four measures, all shares of customer records:
- reach: records with at least one valid way to reach the customer (a valid mobile, phone
  or e-mail address). Peppers and Rogers' identify step asks first whether customers are
  known individually and can be addressed; a record that cannot be reached is a name only.
- validity: among the values filled in for mobile, phone, e-mail and national id, the
  share that are valid (the mean over those fields); a database with many malformed
  values is not "accurate".
- duplicates: records beyond the first of each group of likely duplicates, over records;
  duplicates split a customer's history and make every count above wrong.
- freshness: records with a purchase in the window (12 months by default); a record not
  touched for longer has contact details nobody confirmed. Unknown when there are no dates.

Each level needs the one below it and:
- 1: reach >= 50%: at least half the customers are known individually (below, level 0:
  the file is mostly anonymous);
- 2: reach >= 70% and duplicates <= 10%: most customers reachable, duplication still
  tolerable for counting;
- 3: reach >= 85%, validity >= 90% and duplicates <= 5%: a usable single list, the
  level a CRM system can be started on;
- 4: reach >= 95%, validity >= 95%, duplicates <= 2% and freshness >= 40%: kept up to
  date, few errors; needs dates (a list without them stops at 3: its currency cannot be
  measured);
- 5: reach >= 98%, validity >= 98%, duplicates <= 0.5% and freshness >= 60%: what a
  database looks like when every contact is checked as it is entered and merged on sight.
The steps tighten as a level claims more: from "half the customers" to "nearly all";
duplicates fall by about half a step each level because each duplicate distorts two
customers' figures. `limits` names the measures that kept the level from being one higher
(empty at 5).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: (level, least reach, least validity, most duplicates, least freshness or None)
LEVELS = (
    (1, 0.50, 0.0, 1.0, None),
    (2, 0.70, 0.0, 0.10, None),
    (3, 0.85, 0.90, 0.05, None),
    (4, 0.95, 0.95, 0.02, 0.40),
    (5, 0.98, 0.98, 0.005, 0.60),
)


@dataclass
class DataScore:
    level: int
    reach: float
    validity: float | None
    duplicates: float
    freshness: float | None
    limits: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def measured_level(reach: float, validity: float | None, duplicates: float,
                   freshness: float | None) -> DataScore:
    """The level by the rule in the module's docstring, and what held it back."""
    level, limits = 0, []
    for step, least_reach, least_valid, most_dupes, least_fresh in LEVELS:
        failed = []
        if reach < least_reach:
            failed.append("reach")
        if least_valid and (validity is None or validity < least_valid):
            failed.append("validity")
        if duplicates > most_dupes:
            failed.append("duplicates")
        if least_fresh is not None and (freshness is None or freshness < least_fresh):
            failed.append("freshness")
        if failed:
            limits = failed
            break
        level = step
    return DataScore(level, reach, validity, duplicates, freshness, limits)
