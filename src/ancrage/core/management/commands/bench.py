"""`ancrage bench NAME|--all [--json FILE] [--out-dir DIR]`: run benchmarks in throwaway databases.

Each benchmark module of benchmarks/ defines `run(*, scale: int) -> dict` returning its figures;
by the project's rule every figure is reported beside its floor (the naive or raw way, measured in
the same run). Each benchmark runs in a database of its own, made from the migrations and dropped
after it (`test_<name of the configured database>`): one benchmark's rows never skew another's.
With `--out-dir`, each benchmark's figures go to DIR/<name>.json as soon as it ends.
"""

import importlib.util
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

BENCHMARKS_DIR = Path(settings.BASE_DIR) / "benchmarks"


def available() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BENCHMARKS_DIR.glob("*.py")) if not p.stem.startswith("_")}


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"ancrage_benchmark_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "Run a benchmark (in a throwaway database) and print its figures with their floor."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="benchmark name (file name in benchmarks/)")
        parser.add_argument("--all", action="store_true", help="run every benchmark")
        parser.add_argument("--list", action="store_true", help="list the benchmarks")
        parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
        parser.add_argument(
            "--out-dir", metavar="DIR", help="also write each benchmark's figures to DIR/NAME.json"
        )
        parser.add_argument("--scale", type=int, default=1, help="multiply the data size")

    def handle(
        self, *args, name=None, all=False, list=False, json=None, out_dir=None, scale=1, **options
    ):
        benchmarks = available()
        if list:
            for bench in benchmarks:
                self.stdout.write(bench)
            return
        names = sorted(benchmarks) if all else [name]
        if not all and name not in benchmarks:
            raise CommandError(
                f"Unknown benchmark {name!r}. Available: {', '.join(benchmarks) or 'none'}"
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        results = {}
        for bench in names:
            figures = run_one(bench, benchmarks[bench], scale=scale)
            results[bench] = figures
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {bench}"))
            for key, value in figures.items():
                self.stdout.write(f"  {key}: {value}")
            if out_dir:
                self.stdout.write(f"written to {write_figures(Path(out_dir), bench, figures)}")
        if json:
            Path(json).write_text(_dumps(results if all else results[name]))
            self.stdout.write(f"written to {json}")


def run_one(bench: str, path: Path, *, scale: int) -> dict:
    """One benchmark in a fresh throwaway database; its figures, with the wall time it took."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        figures = load(path).run(scale=scale)
        figures["wall_seconds"] = round(time.perf_counter() - started, 2)
        figures["database"] = connection.vendor
        figures["scale"] = scale
        return figures
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def write_figures(directory: Path, bench: str, figures: dict) -> Path:
    """DIR/<bench>.json, the directory made if needed."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{bench}.json"
    path.write_text(_dumps(figures) + "\n")
    return path


def _dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
