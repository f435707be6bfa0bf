'use strict';
// A Node.js service traced by the official OpenTelemetry JS SDK, to sit in the middle of a
// tracebench scenario as an `external` service. Each request it takes makes its downstream calls
// in order with Node's http client; instrumentation-http records the server span and one client
// span per call and carries the W3C trace context both ways. Spans go as OTLP/HTTP JSON to the
// collector given.
//
//   node server.js --service-name NAME --otlp-endpoint URL [--port N] [--downstream URL ...]
//
// Listens on 127.0.0.1 (port 0, the default, picks one) and prints "listening on
// 127.0.0.1:PORT" as its first stderr line. Answers 200 when every downstream call answered 2xx,
// 502 otherwise. At SIGTERM or SIGINT it stops taking requests, flushes its spans (bounded) and
// exits 0. Bad arguments: one line on stderr, exit 2.

const kCallTimeoutMs = 5000;
const kFlushTimeoutMs = 5000;
// The out-of-band fields of tracebench's wire (request id, seed), forwarded so the services
// behind this one see the same request.
const kForwardedPrefix = 'x-tracebench-';

function usage(problem) {
  process.stderr.write(`server.js: ${problem}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { port: 0, downstream: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--service-name') options.serviceName = value;
    else if (flag === '--otlp-endpoint') options.otlpEndpoint = value;
    else if (flag === '--downstream') options.downstream.push(new URL(value));
    else if (flag === '--port') options.port = Number(value);
    else usage(`unknown flag ${flag}`);
  }
  if (!options.serviceName) usage('--service-name is required');
  if (!options.otlpEndpoint) usage('--otlp-endpoint is required');
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) usage('--port must be 0 to 65535');
  for (const url of options.downstream) {
    if (url.protocol !== 'http:') usage(`--downstream ${url.href}: only http:// URLs`);
  }
  return options;
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (e) {
  usage(e.message);  // new URL() on a malformed --downstream
}

// The SDK first: instrumentation-http patches the http module when it is loaded, so it must be
// registered before `require('http')`.
const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': options.serviceName }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint }))],
});
provider.register();  // W3C trace context and baggage propagators, async-hooks context
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

const http = require('http');

// One downstream call: resolves true for a 2xx reply, false for anything else.
function call(url, incoming) {
  return new Promise((resolve) => {
    const headers = { 'content-length': '0' };
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (name.startsWith(kForwardedPrefix)) headers[name] = value;
    }
    const request = http.request(url, { method: 'POST', headers, timeout: kCallTimeoutMs }, (reply) => {
      reply.resume();
      reply.on('end', () => resolve(reply.statusCode >= 200 && reply.statusCode < 300));
      reply.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', () => resolve(false));
    request.end();
  });
}

const server = http.createServer((req, res) => {
  req.resume();  // the body carries nothing this service needs
  req.on('end', async () => {
    let ok = true;
    for (const url of options.downstream) {
      if (!(await call(url, req))) ok = false;
    }
    res.writeHead(ok ? 200 : 502, { 'content-type': 'text/plain' });
    res.end(ok ? 'ok\n' : 'a downstream call failed\n');
  });
});

server.on('error', (e) => {
  process.stderr.write(`server.js: cannot listen on 127.0.0.1:${options.port}: ${e.message}\n`);
  process.exit(1);
});

server.listen(options.port, '127.0.0.1', () => {
  process.stderr.write(`listening on 127.0.0.1:${server.address().port}\n`);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`stopping: ${signal}\n`);
  server.close();
  server.closeIdleConnections?.();
  const limit = new Promise((resolve) => setTimeout(resolve, kFlushTimeoutMs, 'timeout').unref());
  Promise.race([provider.shutdown().then(() => 'flushed', (e) => `failed: ${e.message}`), limit]).then((outcome) => {
    if (outcome !== 'flushed') process.stderr.write(`server.js: spans not flushed: ${outcome}\n`);
    process.exit(0);
  });
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
