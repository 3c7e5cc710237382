"""The parts of the benchmark harness, one module each (run them with ``benchmarks/run.py``)."""
