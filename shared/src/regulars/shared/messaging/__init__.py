"""Events over RabbitMQ: topology, transactional outbox and its relay, idempotent inbox."""
