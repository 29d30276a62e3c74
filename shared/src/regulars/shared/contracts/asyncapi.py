"""The AsyncAPI 3.0 document of every event, generated from the event registry.

``python -m regulars.shared.contracts.asyncapi`` prints it as YAML; ``make docs``
writes it to ``docs/asyncapi.yaml`` and a test fails when the committed file is
stale. The output is deterministic (collections sorted by routing key), so
regenerating an unchanged registry gives identical bytes.

One channel per routing key on the ``regulars.events`` topic exchange (its id is
the routing key with ``-`` for ``.``, its address the routing key), one
message per event (its payload schema comes from the pydantic model, as the
outbox stores it: ``model_dump(mode="json")``), one ``send`` operation per event.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from regulars.shared.contracts.events import EVENT_REGISTRY, Event, load_all_contracts
from regulars.shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENTS_ARCHIVE, EVENTS_EXCHANGE

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "0.1.0"
AMQP_BINDING_VERSION = "0.3.0"
SCHEMA_REF = "#/components/schemas/{model}"

DESCRIPTION = f"""\
Domain events of Regulars, published to the durable topic exchange
`{EVENTS_EXCHANGE}` with the routing key `<service>.<entity>.<verb>.v<N>`.
Business systems may bind their own queues to it.

## Envelope
Every event's JSON body carries, besides its own fields:

- `event_id` (UUID): unique per event; also the AMQP `message_id`.
- `occurred_at` (ISO 8601, UTC): when the change was committed by its producer.
- `correlation_id`: the request or flow that led to the event (also the AMQP
  `correlation_id` property and the `x-correlation-id` header).
- `causation_id`: the `event_id` or request that directly caused this event,
  or null (also the `x-causation-id` header, empty when null).
- `org_id` (UUID): the organization (tenant) the event concerns.
- `business_id` (UUID or null): the business within the organization.

The AMQP `type` property is the routing key, `content_type` is
`application/json`.

## Delivery guarantees
- At least once. A producer writes the event to its transactional outbox in the
  same database transaction as the change it describes; a relay publishes it
  with publisher confirms, `mandatory`, as a persistent message (delivery mode
  2), and marks it sent only after the broker confirmed it. A crash between the
  two publishes it again, so the same event may arrive more than once.
- Idempotent consumers. Every consumer records `(consumer, event_id)` in its
  inbox in the same transaction as its effect, so a redelivery has no effect.
  Deduplicate on `event_id` (`message_id`) when you consume these events.
- Ordering is not guaranteed across events; snapshot events carry a `version`
  where order matters.
- Dead letters. Consumer queues are quorum queues with `x-delivery-limit`; a
  message that keeps failing is dead-lettered to the direct exchange
  `{DEAD_LETTER_EXCHANGE}` with the queue's name as routing key, into the queue
  `<queue>.dead`.
- Archive. Every event is also kept for 7 days (at most 1 GiB) in the stream
  `{EVENTS_ARCHIVE}`, bound to `#`: read or replay it from any offset
  (`x-stream-offset`) instead of binding a queue of your own.
"""


def _description(event: type[Event]) -> str | None:
    doc = event.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def _title(routing_key: str) -> str:
    """``identity.client.email_verified.v1`` -> ``Client email verified``."""
    _service, entity, verb, _version = routing_key.split(".")
    return f"{entity} {verb}".replace("_", " ").capitalize()


def object_id(routing_key: str) -> str:
    """A routing key as an AsyncAPI object id (ids allow letters, digits, ``-`` and ``_``)."""
    return routing_key.replace(".", "-")


def _channel(routing_key: str, event: type[Event]) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "address": routing_key,
        "title": _title(routing_key),
        "messages": {event.__name__: {"$ref": f"#/components/messages/{object_id(routing_key)}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {"name": EVENTS_EXCHANGE, "type": "topic", "durable": True, "autoDelete": False},
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }
    description = _description(event)
    if description:
        channel["description"] = description
    return channel


def _message(routing_key: str, event: type[Event], payload_ref: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": event.__name__,
        "title": _title(routing_key),
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/AmqpHeaders"},
        "payload": {"$ref": payload_ref},
        "correlationId": {"$ref": "#/components/correlationIds/correlation"},
        "bindings": {"amqp": {"messageType": routing_key, "bindingVersion": AMQP_BINDING_VERSION}},
    }
    description = _description(event)
    if description:
        message["summary"] = description.split("\n\n", 1)[0].replace("\n", " ")
    return message


def _operation(routing_key: str, event: type[Event]) -> dict[str, Any]:
    return {
        "action": "send",
        "title": f"Publish {_title(routing_key).lower()}",
        "summary": f"Published by the {routing_key.split('.', 1)[0]} service through its outbox.",
        "channel": {"$ref": f"#/channels/{object_id(routing_key)}"},
        "messages": [{"$ref": f"#/channels/{object_id(routing_key)}/messages/{event.__name__}"}],
        "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING_VERSION}},
    }


AMQP_HEADERS: dict[str, Any] = {
    "type": "object",
    "title": "AmqpHeaders",
    "description": "Application headers set by the outbox relay.",
    "properties": {
        "x-correlation-id": {"type": "string", "description": "Same as the payload's correlation_id."},
        "x-causation-id": {"type": "string", "description": "The payload's causation_id, empty when null."},
    },
    "required": ["x-correlation-id", "x-causation-id"],
}


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every registered event, as a dict."""
    load_all_contracts()
    events = sorted(EVENT_REGISTRY.items())
    refs, definitions = models_json_schema(
        [(event, "serialization") for _key, event in events], ref_template=SCHEMA_REF
    )
    schemas: dict[str, Any] = dict(sorted(definitions.get("$defs", {}).items()))
    if "AmqpHeaders" in schemas:
        raise ValueError("an event model is named AmqpHeaders, which the document uses for the AMQP headers")
    schemas["AmqpHeaders"] = AMQP_HEADERS
    channels, messages, operations = {}, {}, {}
    for routing_key, event in events:
        payload_ref = refs[(event, "serialization")]["$ref"]
        channels[object_id(routing_key)] = _channel(routing_key, event)
        messages[object_id(routing_key)] = _message(routing_key, event, payload_ref)
        operations[f"send-{object_id(routing_key)}"] = _operation(routing_key, event)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Regulars events", "version": DOCUMENT_VERSION, "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "broker": {
                "host": "{host}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The RabbitMQ broker (REGULARS_AMQP_URL); one virtual host per deployment.",
                "variables": {"host": {"default": "127.0.0.1:5672", "description": "host:port of RabbitMQ"}},
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "messages": messages,
            "correlationIds": {
                "correlation": {
                    "description": "The request or flow that led to the event.",
                    "location": "$message.payload#/correlation_id",
                }
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the descriptions stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main() -> int:
    sys.stdout.write(render(asyncapi_document()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
