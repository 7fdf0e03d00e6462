// Builds gazetteer.txt.gz, the name and place lists embedded for the opt-in PERSON / LOCATION / ADDRESS detector.
//
// Sources (npm packages, MIT licensed): @faker-js/faker 10.6.0 (locale data: first and last names, cities, countries,
// states, street names and suffixes of 70+ locales) and countries-list 3.4.1 (English country names).
//
//   mkdir -p /tmp/gaz && cd /tmp/gaz && npm pack @faker-js/faker@10.6.0 countries-list@3.4.1 \
//     && for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
//   node src/LlmRouting/Redaction/Data/build-gazetteer.mjs /tmp/gaz src/LlmRouting/Redaction/Data/gazetteer.txt
//   gzip -n -9 -f src/LlmRouting/Redaction/Data/gazetteer.txt
//
// Output: one entry per line, "<category>\t<entry>", sorted; categories: first, last, city, country, state, street,
// street_suffix, unit. Entries are Unicode-normalised (NFC), trimmed, 2–40 characters, without digits or '#'.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, out] = process.argv.slice(2);
if (!root || !out) { console.error('usage: node build-gazetteer.mjs <unpacked packages dir> <out.txt>'); process.exit(2); }
const find = prefix => join(root, readdirSync(root).find(d => d.startsWith(prefix) && !d.endsWith('.tgz')), 'package');

const faker = await import(join(find('faker-js-faker'), 'dist', 'index.js'));
const countries = JSON.parse(readFileSync(join(find('countries-list'), 'countries.min.json'), 'utf8'));

const cats = new Map();
const add = (cat, value) => {
  if (typeof value !== 'string') return;
  const v = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (v.length < 2 || v.length > 40 || /[0-9#{}]/.test(v)) return;
  if (!cats.has(cat)) cats.set(cat, new Set());
  cats.get(cat).add(v);
};
const walk = (cat, v) => {
  if (typeof v === 'string') add(cat, v);
  else if (Array.isArray(v)) v.forEach(x => walk(cat, x));
  else if (v && typeof v === 'object') Object.values(v).forEach(x => walk(cat, x));
};

for (const locale of Object.values(faker.allLocales)) {
  const p = locale.person ?? {}, l = locale.location ?? {};
  walk('first', p.first_name); walk('first', p.middle_name); walk('last', p.last_name);
  walk('city', l.city_name); walk('country', l.country); walk('state', l.state);
  walk('street', l.street_name); walk('street_suffix', l.street_suffix); walk('street_suffix', l.street_prefix);
}
for (const c of Object.values(countries)) { add('country', c.name); add('country', c.native); add('city', c.capital); }
for (const unit of ['Apt.', 'Apt', 'Suite', 'Unit', 'Box', 'PSC', 'Floor', 'Fl.', 'Room', 'Rm.', 'Flat', 'P.O.', 'PO', 'Postfach', 'Bus', 'Piso', 'Wohnung', 'Étage', 'Lgh', 'Ap.', 'USNS', 'USNV', 'USS', 'USCGC', 'APO', 'FPO', 'DPO']) add('unit', unit);

const lines = [];
for (const [cat, set] of [...cats.entries()].sort()) for (const v of [...set].sort()) lines.push(`${cat}\t${v}`);
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${lines.length} entries: ` + [...cats.entries()].map(([k, v]) => `${k}=${v.size}`).join(' '));
