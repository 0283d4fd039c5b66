// Sends a trace (NDJSON, one Segment call a line) to a relay in the order given, as a Segment
// library would: batches to /v1/batch, each sent once the one before was answered 200.
// Usage: node send.mjs <relay URL> <write key> <trace file> <seconds to spread it over, 0 = at once>
import { readFileSync } from 'node:fs';

const [relay, writeKey, file, seconds] = process.argv.slice(2);
const calls = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const auth = 'Basic ' + Buffer.from(writeKey + ':').toString('base64');
const spread = Number(seconds) * 1000;
// At once: batches of 100; spread: small batches at an even pace, as steady traffic arrives.
const size = spread > 0 ? 5 : 100;
const started = Date.now();
for (let n = 0; n < calls.length; n += size) {
  if (spread > 0) {
    const due = started + (spread * n) / calls.length;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
  const response = await fetch(relay + '/v1/batch', {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ batch: calls.slice(n, n + size) }),
  });
  if (response.status !== 200) throw new Error(`relay answered ${response.status}: ${await response.text()}`);
}
