"""ModelFactory model worker: fine-tunes, evaluates and serves causal language models.

Driven by the trainer-node daemon over JSON lines on stdin/stdout (see PROTOCOL.md).
"""

PROTOCOL = "modelfactory.worker/1"
__version__ = "0.1.0"
