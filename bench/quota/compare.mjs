// Compares the end state Userlist holds after one request per call (the baseline relay, with
// coalescing, the unchanged skip and stitching off) with the state after the relay as configured,
// and prints one line of figures (JSON).
// Usage: node compare.mjs <baseline state URL> <relay state URL> <trace summary JSON> <drain seconds baseline> <drain seconds relay>
const [baselineUrl, relayUrl, summaryJson, baselineDrain, relayDrain] = process.argv.slice(2);
const summary = JSON.parse(summaryJson);
const [baseline, relay] = await Promise.all([baselineUrl, relayUrl].map(async (url) => (await fetch(url)).json()));

// Same keys in any order: objects compared with their keys sorted.
const canonical = (value) =>
  Array.isArray(value) ? `[${value.map(canonical).join(',')}]`
  : value && typeof value === 'object' ? `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`
  : JSON.stringify(value);

const multiset = (events) => {
  const counts = new Map();
  for (const event of events) counts.set(canonical(event), (counts.get(canonical(event)) ?? 0) + 1);
  return counts;
};
const baselineEvents = multiset(baseline.events);
const relayEvents = multiset(relay.events);
let missing = 0;
for (const [event, count] of baselineEvents) missing += Math.max(0, count - (relayEvents.get(event) ?? 0));
const stitched = relay.events.length - (baseline.events.length - missing);

const sameUsers = canonical(baseline.users) === canonical(relay.users);
const sameCompanies = canonical(baseline.companies) === canonical(relay.companies);
// The first user or company that differs, to read on stderr.
for (const kind of ['users', 'companies']) {
  const key = Object.keys({ ...baseline[kind], ...relay[kind] }).find((id) => canonical(baseline[kind][id]) !== canonical(relay[kind][id]));
  if (key) console.error(`${kind} ${key} differs:\n  one per call: ${canonical(baseline[kind][key])}\n  relay:        ${canonical(relay[kind][key])}`);
}
console.log(JSON.stringify({
  calls: summary.calls,
  requestsSent: relay.stats.accepted,
  onePerCall: baseline.stats.accepted,
  // The stitched events need a request each too: one per call would have had them refused.
  changesAndEvents: baseline.stats.changing + stitched,
  ratioToChanges: +(relay.stats.accepted / (baseline.stats.changing + stitched)).toFixed(3),
  stitchedEvents: stitched,
  stitchable: summary.stitchable,
  drainSeconds: Number(relayDrain),
  baselineDrainSeconds: Number(baselineDrain),
  endStateMatches: sameUsers && sameCompanies && missing === 0,
  usersMatch: sameUsers,
  companiesMatch: sameCompanies,
  baselineEventsMissing: missing,
  eventsBeforeTheirUser: relay.stats.eventsBeforeTheirUser,
  rateLimited: relay.stats.rateLimited + baseline.stats.rateLimited,
}));
