"""xinyong 信用 — credit evaluation management system (信用评价管理系统) for Beijing's planning and
natural resources field, implementing 京规自发〔2024〕122号."""

__version__ = "0.1.0"
