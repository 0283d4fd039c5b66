// A Push API stand-in for the forwarding benchmark: answers 202 after a fixed latency, refuses
// with 429 past a requests-per-minute limit (sliding 60 s window, as Userlist counts), and
// measures each event's latency from ingest (properties.ingestedAtMs) to its arrival here.
// Usage: node fake-userlist.mjs <port> <latency ms> <limit per minute>
// GET /stats returns the counts; POST /reset clears them.
import http from 'node:http';

const [port, latencyMs, limit] = process.argv.slice(2).map(Number);
let stats, window;
const reset = () => {
  stats = { requests: 0, accepted: 0, rateLimited: 0, firstAt: 0, lastAt: 0, latenciesMs: [] };
  window = [];
};
reset();

http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify(stats));
  }
  if (req.method === 'POST' && req.url === '/reset') {
    reset();
    return res.end();
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const now = Date.now();
    stats.requests++;
    stats.firstAt ||= now;
    stats.lastAt = now;
    while (window.length && now - window[0] >= 60_000) window.shift();
    const limited = window.length >= limit;
    if (!limited) window.push(now);
    try {
      const ingestedAt = JSON.parse(body)?.properties?.ingestedAtMs;
      if (ingestedAt) stats.latenciesMs.push(now - ingestedAt);
    } catch {}
    setTimeout(() => {
      if (limited) stats.rateLimited++;
      else stats.accepted++;
      res.statusCode = limited ? 429 : 202;
      res.setHeader('Content-Type', 'application/json');
      res.end(limited ? '{"status":429,"errors":["Rate limit exceeded"]}' : '{}');
    }, latencyMs);
  });
}).listen(port, '127.0.0.1');
