"""Where the time goes, from py-spy's collapsed stacks (`bench_post.py --profile FILE`, `-f raw`): the share of
on-CPU samples spent inside each of the project's functions and libraries (inclusive), the busiest first.

    python bench/stacks.py FILE [--top 25] [--match xinyong/]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--match", default="", help="only frames whose text contains this (e.g. xinyong/)")
    args = ap.parse_args()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in Path(args.file).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        seen = set()
        for frame in stack.split(";"):
            name = re.sub(r":\d+\)", ")", frame)  # the function, whatever the line
            if args.match and args.match not in name:
                continue
            if name not in seen:
                seen.add(name)
                inclusive[name] += count
    print(f"{total} samples")
    for name, n in inclusive.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
