// Compares arrowpack's reading of Arrow IPC files with Arrow JS's, both ways.
//
//   node compare_with_arrowjs.mjs --cli ARROWPACK --out DIR [--skip NAME=REASON ...] FILE...
//
// For each FILE: `arrowpack cat --json FILE` must equal the canonical dump Arrow JS makes of
// FILE (../shared/interop/arrow-canon.mjs), compared as parsed documents. Then arrowpack
// rewrites FILE in the other format (stream-to-file / file-to-stream) into DIR and Arrow JS
// must read the copy equal. A FILE whose base name starts with a skipped NAME must instead
// be refused by arrowpack with a NotImplemented error; it is reported as skipped, by name.
// A FILE matching a --js-limit NAME is one Arrow JS cannot read (see the interop README):
// arrowpack must read it, and its .stream and .arrow_file twins must dump equal.
// With --expected-json, the expected document of FILE is FILE's <name>.json instead.
// With --twin DIR=OTHER (a folder of big-endian files, say), the expected document of a FILE
// under DIR is Arrow JS's dump of the same-named file under OTHER (its little-endian twin).
// Exit code 0 only when every file passed or was skipped as declared.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.ARROWPACK_SHARED || path.resolve(HERE, '../../../shared');
const { canonicalDump } = await import(pathToFileURL(path.join(SHARED, 'interop/arrow-canon.mjs')).href);

const args = process.argv.slice(2);
let cli = null; let out = null; let expectedJson = false; const skips = new Map(); const jsLimits = new Map(); const twins = new Map(); const files = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--cli') cli = args[++i];
  else if (args[i] === '--out') out = args[++i];
  else if (args[i] === '--expected-json') expectedJson = true;
  else if (args[i] === '--skip') { const [k, ...r] = args[++i].split('='); skips.set(k, r.join('=')); }
  else if (args[i] === '--js-limit') { const [k, ...r] = args[++i].split('='); jsLimits.set(k, r.join('=')); }
  else if (args[i] === '--twin') { const [k, ...r] = args[++i].split('='); twins.set(k, r.join('=')); }
  else files.push(args[i]);
}
if (!cli || !out || files.length === 0) {
  console.error('usage: compare_with_arrowjs.mjs --cli ARROWPACK --out DIR [--skip NAME=REASON] FILE...');
  process.exit(1);
}
fs.mkdirSync(out, { recursive: true });

// First path where two JSON values differ, for a readable failure.
function firstDiff(a, b, where = '$') {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null ||
      Array.isArray(a) !== Array.isArray(b)) {
    return `${where}: arrowpack ${JSON.stringify(a)?.slice(0, 200)} vs Arrow JS ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDiff(a[k], b[k], `${where}.${k}`);
    if (d) return d;
  }
  return `${where}: differ`;
}

function runCli(argv) {
  try {
    return { ok: true, stdout: execFileSync(cli, argv, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { ok: false, stderr: String(e.stderr || e.message).trim() };
  }
}

const withoutFormat = (d) => ({ ...d, format: undefined });

// Arrow JS renames a map's entries/key/value fields to the canonical names when it reads
// (apache-arrow type.mjs, Map_ constructor); arrowpack keeps the names as written, as the
// integration JSON of map_non_canonical expects. Compare both sides under canonical names.
function canonicalMapNames(doc) {
  const mapCols = [];
  const fixField = (f) => {
    if (f.type.startsWith('map<') && f.children && f.children[0]) {
      const e = f.children[0];
      e.name = 'entries';
      if (e.children && e.children.length === 2) {
        e.children[0].name = 'key';
        e.children[1].name = 'value';
        e.type = `struct<key: ${e.children[0].type}${e.children[0].nullable ? '' : ' not null'}, ` +
          `value: ${e.children[1].type}${e.children[1].nullable ? '' : ' not null'}>`;
      }
      return true;
    }
    return false;
  };
  doc.schema.fields.forEach((f) => { if (fixField(f)) mapCols.push(f.name); });
  for (const b of doc.batches) {
    for (const name of mapCols) {
      const col = b.columns[name];
      if (!col) continue;
      b.columns[name] = col.map((m) => m && m.map((e) => e && Object.fromEntries(
        Object.entries(e).map(([, v], i) => [i === 0 ? 'key' : 'value', v]))));
    }
  }
  return doc;
}
let failures = 0; let passed = 0; const skipped = [];
for (const file of files) {
  const base = path.basename(file);
  const tag = `${path.basename(path.dirname(file))}/${base}`;
  const matches = (k) => base.startsWith(k) || tag.startsWith(k);
  const skipKey = [...skips.keys()].find(matches);
  const ours = runCli(['cat', '--json', file]);
  if (skipKey !== undefined) {
    if (ours.ok) {
      console.log(`FAIL ${tag}: declared skipped (${skips.get(skipKey)}) but arrowpack read it; remove the skip`);
      ++failures;
    } else if (!/NotImplemented/.test(ours.stderr)) {
      console.log(`FAIL ${tag}: declared skipped but the error is not NotImplemented: ${ours.stderr}`);
      ++failures;
    } else {
      skipped.push(`${tag} (${skips.get(skipKey)})`);
    }
    continue;
  }
  if (!ours.ok) { console.log(`FAIL ${tag}: arrowpack could not read it: ${ours.stderr}`); ++failures; continue; }
  const limitKey = [...jsLimits.keys()].find(matches);
  if (limitKey !== undefined) {
    const twins = [[/\.stream$/, '.arrow_file'], [/\.arrow_file$/, '.stream'], [/\.arrows$/, '.arrow'], [/\.arrow$/, '.arrows']];
    const [re, ext] = twins.find(([r]) => r.test(file));
    const twin = file.replace(re, ext);
    const other = runCli(['cat', '--json', twin]);
    const d = other.ok ? firstDiff(withoutFormat(JSON.parse(ours.stdout)), withoutFormat(JSON.parse(other.stdout))) : other.stderr;
    if (d) { console.log(`FAIL ${tag}: stream and file twins differ: ${d}`); ++failures; continue; }
    skipped.push(`${tag} (Arrow JS cannot read it: ${jsLimits.get(limitKey)}; arrowpack reads it, stream == file)`);
    continue;
  }
  // The expected document: what Arrow JS dumps of FILE, or (--expected-json) the <name>.json
  // that arrow-make.mjs wrote beside FILE when Arrow JS wrote it.
  const jsonPath = file.replace(/\.[^./]+$/, '.json');
  const twinKey = [...twins.keys()].find(matches);
  const expectedFrom = twinKey !== undefined ? path.join(path.dirname(path.dirname(file)), twins.get(twinKey), base) : file;
  const theirs = expectedJson ? JSON.parse(fs.readFileSync(jsonPath, 'utf8')) : await canonicalDump(fs.readFileSync(expectedFrom));
  const diff = firstDiff(canonicalMapNames(JSON.parse(ours.stdout)), canonicalMapNames(JSON.parse(JSON.stringify(theirs))));
  if (diff) { console.log(`FAIL ${tag}: cat --json differs: ${diff}`); ++failures; continue; }
  // Rewrite in the other format and let Arrow JS read the copy.
  const isFile = theirs.format === 'file';
  const copy = path.join(out, `${path.basename(path.dirname(file))}__${base}.${isFile ? 'stream' : 'arrow_file'}`);
  const conv = runCli([isFile ? 'file-to-stream' : 'stream-to-file', file, copy]);
  if (!conv.ok) { console.log(`FAIL ${tag}: rewrite failed: ${conv.stderr}`); ++failures; continue; }
  let again;
  try { again = await canonicalDump(fs.readFileSync(copy)); } catch (e) {
    console.log(`FAIL ${tag}: Arrow JS cannot read arrowpack's rewrite ${copy}: ${e.message}`); ++failures; continue;
  }
  const diff2 = firstDiff(withoutFormat(JSON.parse(JSON.stringify(again))), withoutFormat(JSON.parse(JSON.stringify(theirs))));
  if (diff2) { console.log(`FAIL ${tag}: Arrow JS reads arrowpack's rewrite differently: ${diff2}`); ++failures; continue; }
  ++passed;
  console.log(`ok   ${tag}`);
}
for (const s of skipped) console.log(`SKIP ${s}`);
console.log(`${passed} passed, ${skipped.length} skipped, ${failures} failed`);
process.exit(failures ? 1 : 0);
