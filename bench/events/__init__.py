"""Events benchmark: outbox → relay → RabbitMQ → inbox consumer → effect.

Run from the repository root: ``.venv/bin/python -m bench.events --help``.
"""
