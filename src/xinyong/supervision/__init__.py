"""分级分类监管 — measures lists, the decision service and rankings (122号 Art.17, 122号 Art.20–26)."""
