"""信用承诺 — commitments made at licensing and the breach records that follow (122号 Art.8, 122号 Art.16(3))."""
