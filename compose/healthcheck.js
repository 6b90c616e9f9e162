// Container healthcheck of every Reelwatch service: exit 0 when HEALTHCHECK_URL answers 2xx.

const url = process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.PORT || 8080}/healthz`;
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
