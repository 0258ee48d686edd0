#!/usr/bin/env python
"""Container healthcheck for the web service: exit 0 when GET /healthz answers 200.

Sends a Host from DJANGO_ALLOWED_HOSTS so Django does not reject the probe with a 400;
/healthz is exempt from the HTTPS redirect (production.py), so plain HTTP is fine.
Standard library only: it runs once every interval and must start fast.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def probe_host() -> str:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    return "localhost" if host == "*" else host


def main() -> int:
    url = os.environ.get("HEALTHZ_URL", "http://127.0.0.1:8000/healthz")
    request = urllib.request.Request(url, headers={"Host": probe_host()})  # noqa: S310 (fixed http URL)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            body = response.read().decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(errors="replace"), exc.code
    except OSError as exc:
        print(f"healthz: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthz answered {status}: {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
