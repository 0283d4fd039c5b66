// Posts track calls to the relay in batches of 500: <relay URL> <write key> <count> <users> [single]
// With "single", sends one call at a time every 200 ms instead, stamped for the latency measure.
const [relay, writeKey, count, users, mode] = process.argv.slice(2);
const auth = 'Basic ' + Buffer.from(writeKey + ':').toString('base64');
const call = (n) => ({
  type: 'track', event: 'Bench Event', userId: `user-${n % Number(users)}`,
  messageId: `fwd-${process.pid}-${n}`, properties: { n, ingestedAtMs: Date.now() },
});
const post = async (path, body) => {
  const response = await fetch(relay + path, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`relay answered ${response.status}: ${await response.text()}`);
};
if (mode === 'single') {
  for (let n = 0; n < Number(count); n++) {
    await post('/v1/track', call(n));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
} else {
  for (let n = 0; n < Number(count); n += 500) {
    await post('/v1/batch', { batch: Array.from({ length: Math.min(500, Number(count) - n) }, (_, i) => call(n + i)) });
  }
}
