// Sends Segment calls with the real @segment/analytics-node client.
// Usage: node send-calls.mjs <relay base URL> <write key> < calls.json
// calls.json is an array of {"method": "identify"|"track"|"group"|"page"|..., "params": {...}}.
// Prints one JSON line: {"acknowledged": [messageIds the relay accepted], "failed": [{messageId, reason}]}.
import { Analytics } from '@segment/analytics-node';

const [host, writeKey] = process.argv.slice(2);
if (!host || !writeKey) {
  console.error('usage: node send-calls.mjs <relay base URL> <write key> < calls.json');
  process.exit(2);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const calls = JSON.parse(input);

// The crash test keeps the client retrying through relay restarts and spreads its calls out.
const maxRetries = Number(process.env.MAX_RETRIES ?? 3);
const delayMs = Number(process.env.DELAY_MS ?? 0);
const analytics = new Analytics({ writeKey, host, flushAt: 15, flushInterval: 100, maxRetries });
const acknowledged = [];
const failed = [];

for (const { method, params } of calls) {
  analytics[method](params, (error, context) => {
    const messageId = context?.event?.messageId ?? params.messageId;
    if (error) failed.push({ messageId, reason: String(error.reason ?? error.message ?? error) });
    else acknowledged.push(messageId);
  });
  if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs));
}

// The client's retries back off up to a minute (500 ms doubling per failure): after a few relay
// restarts on a loaded machine, the last calls may need that long to get through.
await analytics.closeAndFlush({ timeout: 120000 });
console.log(JSON.stringify({ acknowledged, failed }));
