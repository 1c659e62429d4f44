"""公众信用门户 — the public portal: search, public grades and records, rankings, standards, measures, a subject's own cases (122号 Art.5, 17, 18, 19, 26)."""
