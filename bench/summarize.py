"""Turn hyperfine's JSON exports in bench/results/ into the tables of docs/benchmarks.md.

Usage: python3 bench/summarize.py [RESULTS_DIR]

For every job it prints one row per command: median, mean ± σ, range, and for wharf's
rows the ratios wharf/uv and pip/wharf (on medians), which the issue's targets are
stated in. The bundle jobs (bundle-build-*, bundle-warm-*, bundle-first-*) get their own
ratios instead: each row's median over wharf's, and over the `python -c "import app"`
baseline; `bundle-size.md` is printed as it is.
"""

import json
import sys
from pathlib import Path

ORDER = [
    "venv",
    "resolve-large",
    "resolve-jupyter",
    "install-warm-small",
    "install-warm-medium",
    "install-warm-large",
    "install-cold-large",
    "noop-small",
    "noop-large",
]


def seconds(value: float) -> str:
    """Milliseconds below a second, else seconds."""
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def find(results: list[dict], prefix: str) -> dict | None:
    return next((r for r in results if r["command"].startswith(prefix)), None)


def table(name: str, results: list[dict]) -> str:
    uv = find(results, "uv ")
    pip = find(results, "pip ") or find(results, "python -m venv")
    lines = [
        f"### {name}",
        "",
        "| command | median | mean ± σ | min … max | wharf/uv | pip/wharf |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        median = result["median"]
        ratio_uv = ratio_pip = ""
        if result["command"].startswith("wharf"):
            if uv:
                ratio_uv = f"{median / uv['median']:.2f}"
            if pip:
                ratio_pip = f"{pip['median'] / median:.1f}"
        lines.append(
            f"| `{result['command']}` | {seconds(median)} "
            f"| {seconds(result['mean'])} ± {seconds(result['stddev'] or 0.0)} "
            f"| {seconds(result['min'])} … {seconds(result['max'])} "
            f"| {ratio_uv} | {ratio_pip} |"
        )
    return "\n".join(lines)


def bundle_table(name: str, results: list[dict]) -> str:
    """A bundle job: how many times wharf's median each row's is (pex and shiv must be
    above 1), and each row over the `python -c "import app"` baseline (wharf's warm start
    must be at most 1.10)."""
    wharf = find(results, "wharf")
    baseline = find(results, "python -c")
    lines = [
        f"### {name}",
        "",
        "| command | median | mean ± σ | min … max | / wharf | / baseline |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        median = result["median"]
        over_wharf = f"{median / wharf['median']:.2f}" if wharf else ""
        over_baseline = f"{median / baseline['median']:.2f}" if baseline else ""
        lines.append(
            f"| `{result['command']}` | {seconds(median)} "
            f"| {seconds(result['mean'])} ± {seconds(result['stddev'] or 0.0)} "
            f"| {seconds(result['min'])} … {seconds(result['max'])} "
            f"| {over_wharf} | {over_baseline} |"
        )
    return "\n".join(lines)


def main() -> None:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results")
    names = [path.stem for path in directory.glob("*.json")]
    names.sort(key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))
    for name in names:
        results = json.loads((directory / f"{name}.json").read_text())["results"]
        print(bundle_table(name, results) if name.startswith("bundle-") else table(name, results))
        print()
    rss = directory / "rss.md"
    if rss.exists():
        print("### peak RSS (large)\n")
        print(rss.read_text())
    sizes = directory / "bundle-size.md"
    if sizes.exists():
        print("### bundle sizes\n")
        print(sizes.read_text())


if __name__ == "__main__":
    main()
