"""aiohttp helpers shared by the gateway and the services."""
