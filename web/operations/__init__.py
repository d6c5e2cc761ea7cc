"""Operations: liveness and readiness probes and the Prometheus metrics endpoint."""
