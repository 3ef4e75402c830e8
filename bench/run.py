"""Run the benchmarks and write their results into docs/benchmarks.md.

    python bench/run.py            # every bench/bench_*.py
    python bench/run.py chat pty   # only bench_chat.py and bench_pty.py

Each bench module has `run() -> str` returning a Markdown section (its own heading, the setup,
a table with the baseline and the ratio). Sections of benchmarks not run this time are kept.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured by `make bench` (`python bench/run.py [NAME...]`) on the machine that ran it. Every
number is compared with a baseline measured in the same run; ratios matter more than absolutes
on a noisy machine.
"""


def section_pattern(name: str) -> re.Pattern:
    return re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->\n?", re.S)


def write_section(name: str, body: str) -> None:
    text = OUTPUT.read_text() if OUTPUT.exists() else HEADER
    block = f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->\n"
    pattern = section_pattern(name)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    OUTPUT.write_text(text)


def main(names: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kulvex.settings")
    available = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))
    for name in names or available:
        if name not in available:
            raise SystemExit(f"no benchmark {name!r}; choose from {', '.join(available)}")
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        body = module.run()
        print(body, flush=True)
        write_section(name, body)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
