#!/usr/bin/python3
"""The results document of a real short run validates against docs/results.schema.json, and
documents broken on purpose do not (so the check can fail). Run by ctest with the tracebench
binary and the schema; uses Debian's python3-jsonschema."""

import copy
import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema

TINY = {"name": "tiny", "entry": "api",
        "production": {"requests_per_second": 1000, "services": 4},
        "services": {"api": {"cpu_us": 20, "calls": [[{"to": "db"}]]}, "db": {"cpu_us": 5}}}


def main() -> int:
    binary, schema_file = sys.argv[1], sys.argv[2]
    schema = json.loads(pathlib.Path(schema_file).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    with tempfile.TemporaryDirectory() as scratch:
        scenario = pathlib.Path(scratch) / "tiny.json"
        scenario.write_text(json.dumps(TINY))
        out = pathlib.Path(scratch) / "results"
        # Bounded: 3 configurations x 2 rounds x 2 phases x 0.15 s, plus calibration; a precision
        # target met at once, so that the precision object is there to check (--max-time bounds it
        # should it not be).
        run = subprocess.run([binary, "run", str(scenario), "--rates", "1/2", "--rounds", "2", "--duration", "0.1",
                              "--warmup", "0.05", "--precision", "cpu=1000%", "--max-time", "60", "--format", "json",
                              "--out", str(out)],
                             capture_output=True, text=True, timeout=120)
        if run.returncode not in (0, 1):
            print(f"tracebench run exited {run.returncode}: {run.stderr}")
            return 1
        printed = json.loads(run.stdout)
        files = list(out.iterdir())
        if len(files) != 1:
            print(f"expected one results file, found {files}")
            return 1
        written = json.loads(files[0].read_text())
        if printed != written:
            print("the document printed differs from the file written")
            return 1

    errors = sorted(validator.iter_errors(written), key=lambda e: list(e.path))
    for e in errors:
        print(f"invalid at {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")
    if errors:
        return 1
    if written["scenario"]["projected_spans_per_second"] is None or not written["summary"]["rows"][0]["projection"]:
        print("the scenario has a production profile: the projection must be there")
        return 1

    measured = next((i for i, row in enumerate(written["summary"]["rows"])
                     if isinstance(row["throughput_change"]["median"], (int, float))), None)
    if measured is None:
        print("no configuration has a throughput change: every run was invalid")
        return 1

    # Every run measured its memory, and the open loop's allocations per request came out.
    for i, run in enumerate(written["runs"]):
        memory = run.get("memory")
        if not memory or memory["peak_rss_bytes"] <= 0 or (run["latency_valid"] and not memory["requests"]):
            print(f"run {i} has no memory figures: {memory}")
            return 1
    if all(row.get("median_allocations_per_request") is None for row in written["summary"]["rows"]):
        print("no configuration has allocations per request")
        return 1

    def broken(change):
        doc = copy.deepcopy(written)
        change(doc)
        return doc

    mutations = {
        "wrong schema version": lambda d: d.__setitem__("schema", "tracebench.results/0"),
        "no runs": lambda d: d.pop("runs"),
        "negative throughput": lambda d: d["runs"][0].__setitem__("throughput", -1),
        "median as text": lambda d: d["summary"]["rows"][1]["throughput_change"].__setitem__("median", "2%"),
        "median without interval": lambda d: d["summary"]["rows"][measured]["throughput_change"].pop("low"),
        "unknown transport": lambda d: d["plan"].__setitem__("transport", "pigeon"),
        "plan without off": lambda d: d["plan"].__setitem__("configurations", ["never", "1/2"]),
        "unexpected field": lambda d: d.__setitem__("extra", 1),
        "negative peak RSS": lambda d: d["runs"][0]["memory"].__setitem__("peak_rss_bytes", -1),
        "allocations added without per_round": lambda d: d["summary"]["rows"][1]["allocations_added_per_request"].pop(
            "per_round"),
        "unknown end of rounds": lambda d: d["summary"]["precision"].__setitem__("ended", "bored"),
        "unknown precision metric": lambda d: d["plan"]["precision"][0].__setitem__("metric", "p95"),
    }
    for name, change in mutations.items():
        if validator.is_valid(broken(change)):
            print(f"a document with {name} validated")
            return 1
    print(f"valid, and {len(mutations)} broken documents rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
