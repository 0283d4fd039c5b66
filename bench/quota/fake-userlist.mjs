// A Push API stand-in that keeps Userlist's end state, for bench/quota: users and companies are
// upserts (top-level fields replace, properties merge key by key, absent keys unchanged; a
// company's relationships merge by user), events append. Past the limit (a sliding 60 s window,
// as Userlist counts) it answers 429 and changes nothing.
// Usage: node fake-userlist.mjs <port> <limit per minute>
// GET /state answers { users, companies, events, stats }.
import http from 'node:http';

const [port, limit] = process.argv.slice(2).map(Number);
const users = new Map();
const companies = new Map();
const events = [];
const stats = { accepted: 0, rateLimited: 0, changing: 0, eventsBeforeTheirUser: 0, firstAt: 0, lastAt: 0 };
const window = [];

const json = (value) => JSON.stringify(value);

const upsert = (map, body, top) => {
  const before = map.get(body.identifier) ?? { properties: {}, relationships: {} };
  const after = { ...before, properties: { ...before.properties, ...(body.properties ?? {}) }, relationships: { ...before.relationships } };
  for (const field of top) if (field in body) after[field] = body[field];
  for (const relationship of body.relationships ?? []) {
    after.relationships[relationship.user] = { ...(after.relationships[relationship.user] ?? {}), ...(relationship.properties ?? {}) };
  }
  map.set(body.identifier, after);
};

// Applies a request; true when it changed the end state (a new or changed user or company, an event).
const apply = (path, body) => {
  switch (path) {
    case '/users': {
      const existed = users.has(body.identifier);
      const before = json(users.get(body.identifier));
      upsert(users, body, ['email', 'signed_up_at']);
      return !existed || before !== json(users.get(body.identifier));
    }
    case '/companies': {
      const existed = companies.has(body.identifier);
      const before = json(companies.get(body.identifier));
      upsert(companies, body, ['name', 'signed_up_at']);
      return !existed || before !== json(companies.get(body.identifier));
    }
    case '/events':
      if (!users.has(body.user)) stats.eventsBeforeTheirUser++;
      events.push(body);
      return true;
    default:
      return false;
  }
};

http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/state') {
    res.setHeader('Content-Type', 'application/json');
    return res.end(json({ users: Object.fromEntries(users), companies: Object.fromEntries(companies), events, stats }));
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const now = Date.now();
    while (window.length && now - window[0] >= 60_000) window.shift();
    res.setHeader('Content-Type', 'application/json');
    if (window.length >= limit) {
      stats.rateLimited++;
      res.statusCode = 429;
      return res.end('{"status":429,"errors":["Rate limit exceeded"]}');
    }
    window.push(now);
    stats.accepted++;
    stats.firstAt ||= now;
    stats.lastAt = now;
    if (apply(req.url, JSON.parse(body))) stats.changing++;
    res.statusCode = 202;
    res.end('{}');
  });
}).listen(port, '127.0.0.1');
