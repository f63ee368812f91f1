#!/usr/bin/env python3
"""Writes the seed corpus (fuzz/corpus/<target>/) from the fixtures.

A handful of real-format examples per target, small on purpose: libFuzzer grows the
corpus itself; the seeds only show it the formats. Run from the repository root:
    python3 fuzz/seed_corpus.py
Files are named after their content's hash, as libFuzzer names the inputs it keeps, so
running this again adds nothing twice.
"""
import csv
import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "case-p"
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def events():
    """One event of each kind, the first seen, compact JSON."""
    seen = set()
    for line in (FIXTURES / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["kind"] not in seen:
            seen.add(event["kind"])
            yield event


def small_bundles():
    """Each clinical resource with the resources it references, as its own bundle."""
    bundle = json.loads((FIXTURES / "health.fhir.json").read_text())
    by_url = {entry["fullUrl"]: entry for entry in bundle["entry"]}

    def references(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "reference" and isinstance(item, str):
                    yield item
                else:
                    yield from references(item)
        elif isinstance(value, list):
            for item in value:
                yield from references(item)

    kinds = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        if kind in ("Encounter", "Observation", "Condition") and kinds.get(kind, 0) < 2:
            kinds[kind] = kinds.get(kind, 0) + 1
            wanted, queue = [], [entry["fullUrl"]]
            while queue:
                url = queue.pop()
                if url in by_url and url not in wanted:
                    wanted.append(url)
                    queue.extend(references(by_url[url]["resource"]))
            entries = [e for e in bundle["entry"] if e["fullUrl"] in wanted]
            yield {"resourceType": "Bundle", "type": "collection", "entry": entries}


def main():
    for event in events():
        put("event_json", json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    for small in small_bundles():
        put("fhir_bundle", json.dumps(small, ensure_ascii=False, separators=(",", ":")))
    with open(FIXTURES / "identity-records.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    lines = (FIXTURES / "identity-records.csv").read_text().splitlines()[1:]
    for row, line in list(zip(rows, lines))[::6]:
        put("identity_record", line)
        for field in ("given_name", "family_name"):
            if row[field]:
                put("person_name", row[field])
        put("person_name", f"{row['family_name']}, {row['given_name']} {row['middle_names']}".strip())
        for field, target in (("date_of_birth", "date_of_birth"), ("postcode", "postcode"),
                              ("nhs_number", "nhs_number")):
            if row[field]:
                put(target, row[field])
        if row["address_line"]:
            put("address", f"{row['address_line']}, {row['town']} {row['postcode']}".strip())
    for event in list(events())[:6]:
        put("date_of_birth", event["occurred_at"])
        if "recorded_at" in event:
            put("date_of_birth", event["recorded_at"])


if __name__ == "__main__":
    main()
