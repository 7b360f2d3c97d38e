// A fast fake OpenAI Chat Completions provider for the proxy bench (bench/proxy_bench/run.py).
//
// POST /v1/chat/completions answers at once with a fixed reply: a JSON completion, or (stream:
// true) five SSE chunks — role, two text pieces, the finish reason, usage — and `data: [DONE]`,
// written together (chunked, as providers send streams). The model "slow" streams instead one
// chunk a second for SLOW_SECONDS (default 20) seconds: the held-streams part of the bench.
// Anything else is a 404. Prints "fake provider listening on http://127.0.0.1:PORT" once it
// listens (port 0: any free one). Node's standard library only.
import http from 'node:http';

const slowSeconds = Number(process.env.SLOW_SECONDS || 20);
const created = 1765000000;

function chunk(model, delta, finish) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

function usageChunk(model) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model, choices: [],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
  })}\n\n`;
}

const fixedJson = (model) => JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created, model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' },
              finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
});

function fixedStream(model) {
  return chunk(model, { role: 'assistant', content: '' }, null) +
         chunk(model, { content: 'Hello' }, null) + chunk(model, { content: ' there' }, null) +
         chunk(model, {}, 'stop') + usageChunk(model) + 'data: [DONE]\n\n';
}

function slowStream(res, model) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(chunk(model, { role: 'assistant', content: '' }, null));
  let sent = 0;
  const timer = setInterval(() => {
    sent += 1;
    if (sent < slowSeconds) {
      res.write(chunk(model, { content: '.' }, null));
      return;
    }
    clearInterval(timer);
    res.end(chunk(model, {}, 'stop') + usageChunk(model) + 'data: [DONE]\n\n');
  }, 1000);
  res.on('close', () => clearInterval(timer));
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.startsWith('/v1/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
    return;
  }
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad json","type":"invalid_request_error"}}');
      return;
    }
    const model = String(body.model || 'bench');
    if (body.stream && model === 'slow') {
      slowStream(res, model);
    } else if (body.stream) {
      const text = fixedStream(model);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(text);
    } else {
      const text = fixedJson(model);
      res.writeHead(200, { 'content-type': 'application/json',
                           'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  });
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;
server.listen(0, '127.0.0.1', () => {
  console.log(`fake provider listening on http://127.0.0.1:${server.address().port}`);
});
