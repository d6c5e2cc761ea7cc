"""Measuring search: judged-set evaluation and its metrics, latency and throughput benchmarks."""
