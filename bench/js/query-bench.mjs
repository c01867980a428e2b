// The cost of a protected query seen by an external client: the official AWS SDK for JavaScript v3
// (the version pinned in sdk-tests/js) against the packaged server, polling GetProtectedQuery every
// 20 ms, beside raw DuckDB over the same Parquet files. A benchmark, not a test (README, Benchmarks).
//
//   (cd sdk-tests/js && npm ci)        # once: the SDK
//   mvn -B -q -DskipTests package -pl app,bench -am
//   node bench/js/query-bench.mjs [--sizes 1000000,10000000] [--runs 5] [--tutorial-runs 50] [--warm-up 200]
//        [--interval 20] [--first-poll now|after] [--jar app/target/cleanroom.jar] [--bench-jar bench/target/cleanroom-bench.jar]
//
// It starts `java -jar cleanroom.jar server` on a free port in a temporary directory, recording only
// Cleanroom's stage events (bench/js/stages.jfc), and QueryLab (bench jar) to set the lab up and run the
// raw side. Each protected run: StartProtectedQuery, then GetProtectedQuery every --interval ms until
// it has ended, then Cleanroom's GetProtectedQueryResult (not in the SDK: signed here with the SDK's
// SigV4 signer). Prints medians of the client's times, the server's totalDurationInMillis, the ratio
// to raw DuckDB, and where the server's milliseconds went (from the flight recording).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(path.join(root, 'sdk-tests', 'js', 'package.json'));
const {
  CleanRoomsClient, StartProtectedQueryCommand, GetProtectedQueryCommand,
} = require('@aws-sdk/client-cleanrooms');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizes = option('sizes', '1000000,10000000').split(',').filter((s) => s && s !== 'none').map(Number);
const runs = Number(option('runs', '5'));
const tutorialRuns = Number(option('tutorial-runs', '50'));
// a server that has served a while has compiled its hot paths
const warmUp = Number(option('warm-up', '200'));
const interval = Number(option('interval', '20'));
// 'now': the first GetProtectedQuery right after StartProtectedQuery, then one every --interval ms (the
// server waits up to 50 ms for a running query's end before answering); 'after': a pause of --interval
// before the first poll too, as this harness did before that wait existed
const firstPoll = option('first-poll', 'now');
if (firstPoll !== 'now' && firstPoll !== 'after') throw new Error('--first-poll is now or after');
const jar = path.resolve(option('jar', path.join(root, 'app', 'target', 'cleanroom.jar')));
const benchJar = path.resolve(option('bench-jar', path.join(root, 'bench', 'target', 'cleanroom-bench.jar')));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => `${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`;
const fmt = (x) => x.toFixed(1);

// ---- the server, with a flight recording of its stage events
const dir = mkdtempSync(path.join(tmpdir(), 'cleanroom-js-bench-'));
const jfr = path.join(dir, 'server.jfr');
const server = spawn('java', [
  `-XX:StartFlightRecording:settings=${path.join(here, 'stages.jfc')},filename=${jfr},dumponexit=true`,
  '-jar', jar, 'server', '--port', '0', '--data-dir', path.join(dir, 'server'),
], { stdio: ['ignore', 'pipe', 'pipe'] });
const endpoint = await new Promise((resolve, reject) => {
  const watch = (stream) => readline.createInterface({ input: stream }).on('line', (line) => {
    const m = line.match(/Cleanroom serving on (https?:\/\/[^ ]+)/);
    if (m) resolve(m[1]);
  });
  watch(server.stdout);
  watch(server.stderr);
  server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
const url = new URL(endpoint);

// ---- the lab (collaborations, data, raw DuckDB), in a JVM of its own
const lab = spawn('java', ['-cp', benchJar, 'io.cleanroom.bench.QueryLab', endpoint,
  path.join(dir, 'server', 'operator-credentials.json'), path.join(dir, 'lab')],
{ stdio: ['pipe', 'pipe', 'ignore'] });
const labLines = readline.createInterface({ input: lab.stdout })[Symbol.asyncIterator]();
async function ask(command) {
  lab.stdin.write(`${command}\n`);
  const answer = JSON.parse((await labLines.next()).value);
  if (answer.error) throw new Error(`${command}: ${answer.error}`);
  return answer;
}

// ---- one protected run, as an SDK client sees it
const agent = new http.Agent({ keepAlive: true });
function clientFor(party) {
  const credentials = { accessKeyId: party.accessKeyId, secretAccessKey: party.secretAccessKey };
  return {
    party,
    sdk: new CleanRoomsClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
    signer: new SignatureV4({ credentials, region: 'us-east-1', service: 'cleanrooms', sha256: Sha256 }),
  };
}

async function result(c, id) {
  const request = {
    method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), query: {},
    path: `/memberships/${c.party.membership}/protectedQueries/${id}/result`, headers: { host: url.host },
  };
  const signed = await c.signer.sign(request);
  return new Promise((resolve, reject) => {
    http.get({ agent, hostname: url.hostname, port: url.port, path: request.path, headers: signed.headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body))
        : reject(new Error(`result: ${res.statusCode} ${body}`))));
    }).on('error', reject);
  });
}

const phases = [];
async function protectedRun(c) {
  const t0 = performance.now();
  const started = Date.now();
  const q = (await c.sdk.send(new StartProtectedQueryCommand({
    membershipIdentifier: c.party.membership, type: 'SQL', sqlParameters: { queryString: c.party.query },
    resultConfiguration: { outputConfiguration: { member: { accountId: c.party.accountId } } },
  }))).protectedQuery;
  const start = performance.now() - t0;
  let got;
  let polls = 0;
  let pollMillis = 0;
  do {
    if (polls > 0 || firstPoll === 'after') await sleep(interval);
    const p0 = performance.now();
    got = (await c.sdk.send(new GetProtectedQueryCommand({
      membershipIdentifier: c.party.membership, protectedQueryIdentifier: q.id,
    }))).protectedQuery;
    pollMillis += performance.now() - p0;
    polls += 1;
  } while (got.status === 'SUBMITTED' || got.status === 'STARTED');
  if (got.status !== 'SUCCESS') throw new Error(`query ended ${got.status}: ${JSON.stringify(got.error)}`);
  const seen = performance.now() - t0;
  const r0 = performance.now();
  await result(c, q.id);
  const now = performance.now();
  return {
    started, seen, total: now - t0, server: got.statistics.totalDurationInMillis, start, polls,
    poll: pollMillis / polls, result: now - r0,
  };
}

function report(name, measured) {
  const m = (k) => median(measured.map((r) => r[k]));
  console.log(`${name}: client ${fmt(m('total'))} ms to the result read (${fmt(m('seen'))} ms to SUCCESS seen), `
    + `server totalDurationInMillis ${fmt(m('server'))} ms; medians of ${measured.length} runs: `
    + `StartProtectedQuery ${fmt(m('start'))} ms, ${m('polls')} polls of ${fmt(m('poll'))} ms, `
    + `result read ${fmt(m('result'))} ms`);
}

try {
  console.log(`load average at start: ${load()}; polling every ${interval} ms, the first poll ${firstPoll === 'now' ? 'at once' : `after ${interval} ms`}`);
  const tutorial = clientFor(await ask('tutorial'));
  for (let i = 0; i < warmUp; i += 1) await protectedRun(tutorial);
  const measured = [];
  const from = Date.now();
  for (let i = 0; i < tutorialRuns; i += 1) measured.push(await protectedRun(tutorial));
  phases.push({ name: 'tutorial-sized query', from, to: Date.now(), queries: measured.length });
  report(`tutorial-sized query (${warmUp} warm-up runs)`, measured);

  for (const rows of sizes) {
    const c = clientFor(await ask(`data ${rows}`));
    await ask(`raw ${rows}`);
    await protectedRun(c);
    const raw = [];
    const prot = [];
    const sizeFrom = Date.now();
    for (let i = 0; i < runs; i += 1) {
      // alternate which goes first, so neither always follows the other's memory release
      if (i % 2 === 0) {
        raw.push((await ask(`raw ${rows}`)).millis);
        prot.push(await protectedRun(c));
      } else {
        prot.push(await protectedRun(c));
        raw.push((await ask(`raw ${rows}`)).millis);
      }
    }
    phases.push({ name: `${rows.toLocaleString('en')} rows per party`, from: sizeFrom, to: Date.now(), queries: runs });
    const p = median(prot.map((r) => r.total));
    console.log(`${rows.toLocaleString('en')} rows per party: raw DuckDB median ${fmt(median(raw))} ms, protected `
      + `median ${fmt(p)} ms (to SUCCESS seen ${fmt(median(prot.map((r) => r.seen)))} ms, server-side `
      + `${fmt(median(prot.map((r) => r.server)))} ms), ratio ${(p / median(raw)).toFixed(2)}x `
      + `(${runs} runs each, interleaved; raw ${raw.map(Math.round).join(' ')}, protected `
      + `${prot.map((r) => Math.round(r.total)).join(' ')})`);
  }
  console.log(`load average at the end: ${load()}`);
} finally {
  lab.stdin.end();
  agent.destroy();
  const exited = new Promise((r) => server.on('exit', r));
  server.kill('SIGTERM');
  await exited;
}

// ---- where the server's milliseconds went: its stage events, per phase
const ORDER = ['submit.context', 'submit.check', 'submit.locate', 'submit.record', 'queue', 'start.record', 'recheck',
  'pin', 'engine.prepare', 'engine.bind', 'engine.run', 'engine.release', 'result.store', 'finish.record', 'call',
  'call.verify', 'call.audit'];
const rank = (stage) => (ORDER.includes(stage) ? ORDER.indexOf(stage) : ORDER.length);
// an ISO-8601 duration (PT0.0012S, PT1M2.5S) in milliseconds
function millisOf(duration) {
  const m = duration.match(/^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/);
  return ((Number(m[1] || 0) * 60 + Number(m[2] || 0)) * 60 + Number(m[3] || 0)) * 1000;
}
const printed = spawnSync('jfr', ['print', '--json', '--events', 'io.cleanroom.Stage', jfr],
  { maxBuffer: 1 << 30, encoding: 'utf8' });
if (printed.status === 0) {
  const events = JSON.parse(printed.stdout).recording.events.map((e) => ({
    stage: e.values.stage,
    start: Date.parse(e.values.startTime),
    millis: millisOf(e.values.duration),
  }));
  for (const phase of phases) {
    const byStage = new Map();
    for (const e of events) {
      if (e.start >= phase.from && e.start < phase.to) {
        if (!byStage.has(e.stage)) byStage.set(e.stage, []);
        byStage.get(e.stage).push(e.millis);
      }
    }
    console.log(`${phase.name}, the server's stages: median ms, per query: count, mean total ms`);
    for (const [stage, ms] of [...byStage].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))) {
      const total = ms.reduce((a, b) => a + b, 0);
      console.log(`  ${stage.padEnd(16)} ${median(ms).toFixed(2).padStart(9)}  ${(ms.length / phase.queries)
        .toFixed(1).padStart(9)} ${(total / phase.queries).toFixed(2).padStart(10)}`);
    }
  }
} else {
  console.log(`(no stage breakdown: jfr print failed: ${printed.stderr || printed.error})`);
}
rmSync(dir, { recursive: true, force: true });
