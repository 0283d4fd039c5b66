// A seeded trace of a web app's Segment calls, in the order its clients send them, as NDJSON on
// stdout, and a summary of what it holds on stderr (JSON).
// Usage: node trace.mjs [users=250] [seed=42]
//
// Each user comes back in sessions over a week. Every page load calls identify again with the
// traits the app knows (usually unchanged) and page; some sessions change a trait (a plan
// upgrade, a seat count), track what the user did (with context.groupId) and call group for the
// user's company. A share of the users sign up during the week: their first session is anonymous
// (anonymousId only: pages and tracks such as "Viewed Pricing"), then identify names them with the
// anonymousId, or alias links it. Some visitors never sign up, and some signed-up users browse
// signed out later (anonymous again, on a linked anonymousId).
const users = Number(process.argv[2] ?? 250);
let seed = Number(process.argv[3] ?? 42) >>> 0;

// mulberry32: small, fast and the same on every machine.
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const chance = (p) => random() < p;
const between = (low, high) => low + Math.floor(random() * (high - low + 1));
const pick = (items) => items[Math.floor(random() * items.length)];

const start = Date.parse('2026-11-02T00:00:00Z');
const week = 7 * 24 * 3600 * 1000;
const companies = Math.max(1, Math.round(users / 4));
const pages = ['/dashboard', '/reports', '/settings', '/billing', '/projects', '/team'];
const events = ['Report Exported', 'Project Created', 'Invite Sent', 'Dashboard Viewed', 'Integration Connected'];
const anonymousEvents = ['Viewed Pricing', 'Started Signup', 'Watched Demo'];
const calls = [];
let summary = { anonymousCalls: 0, stitchable: 0, neverLinked: 0 };
let messageId = 0;

const add = (at, call) => calls.push({ at, call: { ...call, messageId: `quota-${++messageId}`, timestamp: new Date(at).toISOString() } });

const companyTraits = new Map();
const traitsOfCompany = (id) => {
  if (!companyTraits.has(id)) companyTraits.set(id, { name: `Company ${id}`, plan: pick(['free', 'team', 'business']), seats: between(1, 40) });
  return companyTraits.get(id);
};

for (let u = 0; u < users; u++) {
  const userId = `user-${u}`;
  const anonymousId = `anon-${u}`;
  const groupId = `company-${u % companies}`;
  const signsUpNow = chance(0.35);
  const linkByAlias = signsUpNow && chance(0.3);
  const traits = { email: `${userId}@example.com`, name: `User ${u}`, plan: 'free', createdAt: new Date(start - between(1, 400) * 86_400_000).toISOString() };
  let at = start + Math.floor(random() * week * 0.6);

  if (signsUpNow) {
    // The visit before signing up: anonymous only, stitched once identify or alias names it.
    for (let i = between(1, 3); i > 0; i--) {
      add((at += between(5, 60) * 1000), { type: 'page', anonymousId, name: 'Pricing' });
      add((at += between(5, 60) * 1000), { type: 'track', anonymousId, event: pick(anonymousEvents), properties: { source: pick(['ad', 'search', 'referral']) } });
      summary.anonymousCalls++;
      summary.stitchable++;
    }
    traits.createdAt = new Date(at).toISOString();
    at += between(60, 900) * 1000;
    if (linkByAlias) {
      add((at += 1000), { type: 'alias', previousId: anonymousId, userId });
      add((at += 1000), { type: 'identify', userId, traits: { ...traits } });
    } else {
      add((at += 1000), { type: 'identify', userId, anonymousId, traits: { ...traits } });
    }
  }

  const sessions = between(2, 5);
  for (let s = 0; s < sessions; s++) {
    at += between(2, 30) * 3600 * 1000;
    if (chance(0.15)) {
      // A trait changes: the plan, or a new property.
      if (chance(0.5)) traits.plan = pick(['free', 'pro', 'enterprise']);
      else traits.lastFeature = pick(events);
    }
    for (let p = between(1, 3); p > 0; p--) {
      add((at += between(3, 120) * 1000), { type: 'identify', userId, anonymousId, traits: { ...traits } });
      add((at += 500), { type: 'page', userId, anonymousId, name: pick(pages) });
      if (chance(0.5)) {
        add((at += between(2, 90) * 1000), { type: 'track', userId, anonymousId, event: pick(events), properties: { count: between(1, 9) }, context: { groupId } });
      }
    }
    if (chance(0.6)) {
      const company = traitsOfCompany(groupId);
      if (chance(0.1)) company.seats += 1;
      add((at += 2000), { type: 'group', userId, groupId, traits: { ...company }, integrations: { Userlist: { extensions: { relationship: { properties: { role: u % companies === 0 ? 'owner' : 'member' } } } } } });
    }
  }

  if (signsUpNow && chance(0.2)) {
    // Signed out later on the same browser: anonymous again, on an anonymousId already linked.
    add((at += between(1, 10) * 3600 * 1000), { type: 'track', anonymousId, event: 'Viewed Pricing', properties: { source: 'app' } });
    summary.anonymousCalls++;
    summary.stitchable++;
  }
}

// Visitors who never sign up: their anonymous calls have nothing to be linked to.
for (let v = 0; v < Math.round(users / 5); v++) {
  const anonymousId = `visitor-${v}`;
  const at = start + Math.floor(random() * week);
  add(at, { type: 'page', anonymousId, name: 'Home' });
  add(at + 30_000, { type: 'track', anonymousId, event: 'Viewed Pricing', properties: { source: 'search' } });
  summary.anonymousCalls++;
  summary.neverLinked++;
}

calls.sort((a, b) => a.at - b.at);
for (const { call } of calls) process.stdout.write(JSON.stringify(call) + '\n');
const byType = {};
for (const { call } of calls) byType[call.type] = (byType[call.type] ?? 0) + 1;
process.stderr.write(JSON.stringify({ calls: calls.length, users, byType, ...summary }) + '\n');
