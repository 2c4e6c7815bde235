"""Orchestration above the domain apps: loading the plan fixtures, the labelled demo, synthetic national-scale
data, `manage.py serve`, the home route and the benchmarks. Nothing below imports this app."""
