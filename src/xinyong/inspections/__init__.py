"""监督检查 — credit-based inspection plans, the 无事不扰 whitelist and inspections (122号 Art.22, 122号 Art.25; 44号 Task 12)."""
