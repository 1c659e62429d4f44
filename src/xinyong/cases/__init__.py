"""异议处理及信用修复 — objection and credit-repair cases (122号 Art.18; spec D1-36, G1-05, G1-07)."""
