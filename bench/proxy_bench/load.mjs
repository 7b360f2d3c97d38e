// Open-loop load generator for the proxy bench (driven by bench/proxy_bench/run.py).
//
// Reads one JSON job from argv[2] and prints one JSON result on stdout. Node's standard library
// only; one keep-alive agent per target (TCP_NODELAY is node's default).
//
// {"kind": "latency", "rate": 200, "rounds": R, "block": B, "warmup": W, "stream": bool,
//  "targets": [{"name", "url", "headers": {...}, "body": {...}}]}
//   For each round, each target in turn (the order rotates every round) gets B requests sent at
//   a fixed `rate` per second, whether or not earlier ones have answered (open loop), after W
//   unmeasured warm-up requests per target. Result: {name: {"ttfb": [ms...], "total": [ms...],
//   "errors": n, "error": "first error"}} — ttfb is the first body byte, total the end of the
//   body; a non-200 status, or a stream without `[DONE]`, counts as an error.
//
// {"kind": "hold", "n": 200, "pid": PID, "target": {...}}
//   Opens n streams at once to the target (the fake's "slow" model), waits until every one has
//   its first body byte, reads the resident memory (VmRSS) of process PID before and then, and
//   waits for the streams to end. Result: {"n", "errors", "error", "rss_before_kb",
//   "rss_open_kb"}.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const job = JSON.parse(process.argv[2]);

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

// One POST; resolves {ttfb, total, ok, error} in milliseconds from the moment it was sent.
function post(target, agent, body, stream) {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const data = Buffer.from(JSON.stringify(body));
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    let ttfb = null;
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
      headers: { ...target.headers, 'content-type': 'application/json',
                 'content-length': data.length },
    }, (res) => {
      const parts = [];
      res.on('data', (d) => {
        if (ttfb === null) ttfb = ms();
        parts.push(d);
      });
      res.on('end', () => {
        const total = ms();
        const text = Buffer.concat(parts).toString('utf8');
        let error = null;
        if (res.statusCode !== 200) error = `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        else if (stream && !text.includes('[DONE]')) error = `no [DONE]: ${text.slice(-300)}`;
        resolve({ ttfb: ttfb ?? total, total, ok: error === null, error });
      });
      res.on('error', (e) => resolve({ ok: false, error: String(e) }));
    });
    req.on('error', (e) => resolve({ ok: false, error: String(e) }));
    req.end(data);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `count` requests at `rate`/s from now on; resolves the list of results.
async function paced(target, agent, count, rate, stream) {
  const interval = 1000 / rate;
  const begin = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    pending.push(post(target, agent, target.body, stream));
  }
  return Promise.all(pending);
}

async function latency() {
  const agents = job.targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 256 }));
  const out = {};
  for (const t of job.targets) out[t.name] = { ttfb: [], total: [], errors: 0, error: null };
  for (let i = 0; i < job.targets.length; i++) {
    await paced(job.targets[i], agents[i], job.warmup, job.rate, job.stream);
  }
  for (let round = 0; round < job.rounds; round++) {
    for (let k = 0; k < job.targets.length; k++) {
      const i = (round + k) % job.targets.length;
      const t = job.targets[i];
      for (const r of await paced(t, agents[i], job.block, job.rate, job.stream)) {
        if (!r.ok) {
          out[t.name].errors += 1;
          out[t.name].error ??= r.error;
          continue;
        }
        out[t.name].ttfb.push(r.ttfb);
        out[t.name].total.push(r.total);
      }
    }
  }
  for (const a of agents) a.destroy();
  return out;
}

async function hold() {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const before = rssKb(job.pid);
  let open = 0;
  let rssOpen = null;
  let resolveAll;
  const allOpen = new Promise((r) => { resolveAll = r; });
  const streams = [];
  for (let i = 0; i < job.n; i++) {
    streams.push(new Promise((resolve) => {
      const url = new URL(job.target.url);
      const data = Buffer.from(JSON.stringify(job.target.body));
      let counted = false;
      const count = () => {
        if (counted) return;
        counted = true;
        open += 1;
        if (open === job.n) resolveAll();
      };
      const req = http.request({
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
        headers: { ...job.target.headers, 'content-type': 'application/json',
                   'content-length': data.length },
      }, (res) => {
        const parts = [];
        res.on('data', (d) => { parts.push(d); count(); });
        res.on('end', () => {
          count();
          const text = Buffer.concat(parts).toString('utf8');
          if (res.statusCode !== 200) resolve(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
          else if (!text.includes('[DONE]')) resolve(`no [DONE]: ${text.slice(-300)}`);
          else resolve(null);
        });
        res.on('error', (e) => { count(); resolve(String(e)); });
      });
      req.on('error', (e) => { count(); resolve(String(e)); });
      req.end(data);
    }));
  }
  await allOpen;
  await sleep(200);  // let the proxy settle: buffers of the first chunks are in use
  rssOpen = rssKb(job.pid);
  const results = await Promise.all(streams);
  const errors = results.filter((e) => e !== null);
  return { n: job.n, errors: errors.length, error: errors[0] ?? null,
           rss_before_kb: before, rss_open_kb: rssOpen };
}

const result = job.kind === 'hold' ? await hold() : await latency();
process.stdout.write(JSON.stringify(result) + '\n');
