"""ModelFactory developer tools: tiny random models, synthetic records and the demo pre-training.

Used by tests, benchmarks and the demo, never by a training run: the worker package
(`modelfactory_worker`) does not import this one, and the result cache does not hash it.
"""
