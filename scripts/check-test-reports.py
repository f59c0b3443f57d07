#!/usr/bin/env python3
"""Fails the build when the test reports show a test that did not really run.

./test.sh runs it after `mvn verify`: every module with tests must have run at least one, and no test may be
skipped (an @Disabled test, an assumption that failed, a skipped execution all look green otherwise).
Prints one line per module and a closing 'N passed, N failed, N skipped' line.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(__file__).resolve().parent.parent
modules = [p.parents[2] for p in root.glob("**/src/test/java") if "target" not in p.relative_to(root).parts]
problems, total = [], {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for module in sorted(modules):
    test_sources = [p for p in (module / "src/test/java").rglob("*.java")
                    if p.stem.endswith(("Test", "IT")) and "Test" in p.read_text(encoding="utf-8", errors="replace")]
    if not test_sources:
        continue
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in list((module / "target/surefire-reports").glob("TEST-*.xml")) + \
            list((module / "target/failsafe-reports").glob("TEST-*.xml")):
        suite = ET.parse(report).getroot()
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
        for case in suite.iter("testcase"):
            if case.find("skipped") is not None:
                problems.append(f"skipped: {case.get('classname')}.{case.get('name')}")
    name = module.relative_to(root).as_posix() if module != root else "(plugin)"
    print(f"{name}: {counts['tests']} tests, {counts['failures'] + counts['errors']} failed, {counts['skipped']} skipped")
    if counts["tests"] == 0:
        problems.append(f"{name} has tests but ran none")
    for key in total:
        total[key] += counts[key]
failed = total["failures"] + total["errors"]
print(f"{total['tests'] - failed - total['skipped']} passed, {failed} failed, {total['skipped']} skipped")
if problems or failed:
    print("Test reports show tests that did not run:" if problems else "", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
