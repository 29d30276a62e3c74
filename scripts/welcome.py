"""Waits until every service is ready, then tells the newcomer where to go.

Runs as a process of the Procfile, so it stays (quietly) until Ctrl-C.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from pathlib import Path

from regulars.shared.settings import get_settings


def main() -> None:
    settings = get_settings()
    health = f"http://127.0.0.1:{settings.gateway_port}/healthz"
    deadline = time.monotonic() + 120
    state = "not answering"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    state = "ready"
                    break
        except Exception as exc:
            state = str(exc)
        time.sleep(1)
    demo = json.loads(Path("var/demo.json").read_text())
    lines = [
        "",
        "=" * 72,
        f"Regulars is {'up' if state == 'ready' else 'NOT ready: ' + state}",
        f"  health       {health}",
        f"  mailbox      {demo['mailbox_url']}",
        f"  payments     {settings.stripe_url()}/   (localstripe: Stripe's test cards, 4242 4242 4242 4242)",
    ]
    for business in demo["businesses"]:
        lines.append(f"  widget       {business['widget_url']}   ({business['organization']})")
        lines.append(f"  API key      {business['slug']}: {business['api_key']}")
    if "demo_client" in demo:
        lines.append(f"  demo client  {demo['demo_client']['email']} / {demo['demo_client']['password']}")
    lines += ["  all of this  var/demo.json", "Ctrl-C stops everything.", "=" * 72, ""]
    print("\n".join(lines), flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
