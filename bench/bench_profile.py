"""Benchmark: `crm-maturity data profile` on a large client file (issue 20).

Run with `make bench-profile`. In a temporary folder (deleted afterwards, nothing
committed) it writes 1,000,000 transaction rows of 200,000 customers as a UTF-8 CSV:
Persian names (some with Arabic ي/ك, half-spaces or double spaces), mobiles in every
common form and digit set, a fifth of the dates in Solar Hijri (half of those in Persian
digits), amounts with thousands separators or currency words now and then, and about 2%
of customers entered twice under a second id. Then, each in its own process:

- `crm-maturity data profile FILE --json` end to end (start-up included), three times
  after a warm-up: the least wall time and the largest peak memory (each child's maximum
  resident set), targets 5 s and 1 GiB;
- the same profile computed with plain pandas (bench/pandas_profile.py), as a ratio, and
  a check that both agree on the counts;
- an XLSX of 100,000 rows, timed the same way.
Figures land in bench/results/profile.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import jdatetime

ROWS = 1_000_000
CUSTOMERS = 200_000
XLSX_ROWS = 100_000
TARGET_SECONDS = 5.0
#: the CLI runs this many times; the least wall time counts (others share the machine),
#: and the largest peak memory
RUNS = 3
TARGET_MIB = 1024.0
LAST_DAY = date(2024, 12, 31)
DAYS = 3 * 365

FIRST = ["علی", "محمد", "رضا", "مریم", "زهرا", "فاطمه", "حسین", "سارا", "نیلوفر", "کیان",
         "امیرحسین", "محمدرضا", "یاسمن", "پریسا", "مهدی", "کاوه", "نگار", "شیرین", "بهرام"]
LAST = ["رضایی", "کریمی", "احمدی", "محمدی", "حسینی", "موسوی", "جعفری", "کاظمی", "صادقی",
        "یزدانی", "نیک‌نام", "کیانی", "شریفی", "رحیمی", "پاکزاد", "میرزایی", "قاسمی"]
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def national_id(rng: random.Random) -> str:
    body = [rng.randint(0, 9) for _ in range(9)]
    remainder = sum(d * (10 - i) for i, d in enumerate(body)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    return "".join(map(str, body)) + str(check)


def mobile_text(number: str, rng: random.Random) -> str:
    form = rng.random()
    if form < 0.55:
        return "0" + number
    if form < 0.70:
        return "+98" + number
    if form < 0.80:
        return "0098 " + number[:3] + " " + number[3:6] + " " + number[6:]
    if form < 0.90:
        return ("0" + number).translate(PERSIAN)
    return number


def name_text(first: str, last: str, rng: random.Random) -> str:
    text = f"{first} {last}"
    roll = rng.random()
    if roll < 0.1:
        return text.replace("ی", "ي").replace("ک", "ك")
    if roll < 0.15:
        return text.replace(" ", "  ")
    return text


def generate_customers(rng: random.Random) -> list[tuple[str, str, str]]:
    """(id, name, mobile) of every customer id; about 2% are a second id of someone."""
    people: list[tuple[str, str, str]] = []
    for n in range(CUSTOMERS):
        if people and rng.random() < 0.02:
            _cid, name, mobile = people[rng.randrange(len(people))]
            people.append((f"C{n:06d}", name, mobile))
            continue
        number = "9" + str(rng.randint(10**8, 10**9 - 1))
        people.append((f"C{n:06d}", name_text(rng.choice(FIRST), rng.choice(LAST), rng),
                       mobile_text(number, rng)))
    return people


def date_text(day: date, rng: random.Random) -> str:
    if rng.random() < 0.8:
        return day.isoformat()
    jalali = jdatetime.date.fromgregorian(date=day)
    text = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}"
    return text.translate(PERSIAN) if rng.random() < 0.5 else text


def amount_text(value: int, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return f'"{value:,}"'
    if roll < 0.08:
        return f"{value} ریال"
    return str(value)


def write_csv(path: Path, rng: random.Random) -> None:
    people = generate_customers(rng)
    weights = [rng.paretovariate(1.5) for _ in people]
    buyers = rng.choices(range(len(people)), weights=weights, k=ROWS - len(people))
    order = list(range(len(people))) + buyers  # everyone buys at least once
    days = [LAST_DAY - timedelta(days=d) for d in range(DAYS)]
    texts = {day: [date_text(day, rng) for _ in range(3)] for day in days}
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("customer_id,name,mobile,date,amount,product\n")
        lines = []
        for index in order:
            cid, name, mobile = people[index]
            day = days[int(rng.random() ** 2 * DAYS)]  # more recent purchases are commoner
            amount = int(rng.lognormvariate(13, 1)) // 1000 * 1000 + 1000
            lines.append(f"{cid},{name},{mobile},{rng.choice(texts[day])},"
                         f"{amount_text(amount, rng)},P{rng.randint(1, 40)}\n")
            if len(lines) >= 50_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


def write_xlsx(csv_path: Path, path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("sales")
    with csv_path.open(encoding="utf-8") as source:
        import csv

        for number, row in enumerate(csv.reader(source)):
            if number > XLSX_ROWS:
                break
            if number and row[4].isdigit():
                sheet.append([*row[:4], int(row[4]), row[5]])
            else:
                sheet.append(row)
    book.save(path)


def timed(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, processor seconds (user and system), peak resident MiB (the kernel's
    accounting of that child alone) and standard output of one child process. Processor
    time shows the work done when other processes share the machine."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    chunks = []
    assert child.stdout is not None
    for chunk in iter(lambda: child.stdout.read(65536), b""):  # type: ignore[union-attr]
        chunks.append(chunk)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status:
        err = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, b"".join(chunks).decode()


def main() -> int:
    rng = random.Random(20)
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    cli = [sys.executable, "-m", "assessment.cli", "data", "profile"]
    try:
        csv_path = folder / "sales.csv"
        started = time.perf_counter()
        write_csv(csv_path, rng)
        generated = time.perf_counter() - started
        size_mib = csv_path.stat().st_size / 2**20
        timed([*cli, str(csv_path), "--json"])  # warm the page cache and the imports
        runs = [timed([*cli, str(csv_path), "--json"]) for _ in range(RUNS)]
        seconds, cpu, _peak, out = min(runs)
        peak = max(run[2] for run in runs)
        profile = json.loads(out)
        pandas_script = str(Path(__file__).parent / "pandas_profile.py")
        pandas_seconds, pandas_cpu, pandas_peak, pandas_out = timed(
            [sys.executable, pandas_script, str(csv_path)])
        pandas_profile = json.loads(pandas_out)
        xlsx_path = folder / "sales.xlsx"
        write_xlsx(csv_path, xlsx_path)
        xlsx_seconds, xlsx_cpu, xlsx_peak, xlsx_out = timed([*cli, str(xlsx_path), "--json"])
        xlsx_rows = json.loads(xlsx_out)["rows"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    same = {key: (profile_value(profile, key), profile_value(pandas_profile, key))
            for key in ("rows", "customers", "tiers", "segments", "duplicates")}
    agree = all(a == b for a, b in same.values())
    figures = {
        "rows": profile["rows"], "customers": profile["customers"],
        "csv_mib": round(size_mib, 1), "generated_seconds": round(generated, 1),
        "polars_seconds": round(seconds, 2), "polars_cpu_seconds": round(cpu, 2),
        "polars_peak_mib": round(peak),
        "pandas_seconds": round(pandas_seconds, 2), "pandas_cpu_seconds": round(pandas_cpu, 2),
        "pandas_peak_mib": round(pandas_peak),
        "pandas_over_polars": round(pandas_seconds / seconds, 2),
        "pandas_agrees": agree,
        "xlsx_rows": xlsx_rows, "xlsx_seconds": round(xlsx_seconds, 2),
        "xlsx_cpu_seconds": round(xlsx_cpu, 2), "load_average": os.getloadavg()[0],
        "xlsx_peak_mib": round(xlsx_peak),
        "target_seconds": TARGET_SECONDS, "target_mib": TARGET_MIB,
        "duplicates": profile["quality"]["duplicates"], "score": profile["score"],
    }
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "profile.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{'run':<40} {'seconds':>8} {'cpu s':>7} {'peak MiB':>9}")
    print(f"{f'CSV {ROWS:,} rows, {size_mib:.0f} MiB (Polars, CLI)':<40} "
          f"{seconds:>8.2f} {cpu:>7.2f} {peak:>9.0f}")
    print(f"{'the same in plain pandas':<40} {pandas_seconds:>8.2f} {pandas_cpu:>7.2f} "
          f"{pandas_peak:>9.0f}")
    print(f"{f'XLSX {xlsx_rows:,} rows (CLI)':<40} {xlsx_seconds:>8.2f} {xlsx_cpu:>7.2f} "
          f"{xlsx_peak:>9.0f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"pandas / Polars: {pandas_seconds / seconds:.1f}x; results agree: {agree}")
    if not agree:
        for key, (a, b) in same.items():
            if a != b:
                print(f"  {key}: polars {a} pandas {b}")
    meets = seconds <= TARGET_SECONDS and peak <= TARGET_MIB
    print(f"{'meets' if meets else 'MISSES'} the {TARGET_SECONDS:.0f} s and "
          f"{TARGET_MIB:.0f} MiB targets")
    return 0 if meets and agree else 1


def profile_value(profile: dict[str, object], key: str) -> object:
    if key == "tiers":
        return [tier["customers"] for tier in profile["pyramid"]]  # type: ignore[attr-defined]
    if key == "segments":
        return [s["customers"] for s in profile["rfm"]["segments"]]  # type: ignore[index]
    if key == "duplicates":
        return profile["quality"]["duplicates"]  # type: ignore[index]
    return profile[key]


if __name__ == "__main__":
    sys.exit(main())
