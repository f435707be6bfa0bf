#!/usr/bin/env node
// Opens a tracebench HTML report in headless Chromium with the network cut off and checks that
// every chart drew: an SVG of at least kMinWidth x kMinHeight px holding at least one mark, no
// console error, no page error, and no request for anything but the file itself.
//
//   node check_report.js REPORT.html [--screenshot FILE] [--width PX] [--allow-empty]
//
// Prints one line per chart; exits 1 with a one-line reason on the first kind of failure.
// --allow-empty accepts charts the report left empty on purpose (data-empty: a results file
// without a recorded trace); without it they fail, so a fixture that lost its data shows.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const url = require('node:url');

const kChromium = process.env.TRACEBENCH_CHROMIUM || '/usr/bin/chromium';
const kRenderTimeoutMs = 20000;
const kMinWidth = 200;
const kMinHeight = 100;

function fail(reason) {
  console.error(`check_report: ${reason}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = { report: null, screenshot: null, width: 1200, allowEmpty: false };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--screenshot' && i + 1 < argv.length) options.screenshot = argv[++i];
    else if (arg === '--width' && i + 1 < argv.length) options.width = Number(argv[++i]);
    else if (arg === '--allow-empty') options.allowEmpty = true;
    else if (!arg.startsWith('--') && options.report === null) options.report = arg;
    else fail(`unexpected argument ${arg} (usage: check_report.js REPORT.html [--screenshot FILE] [--width PX] [--allow-empty])`);
  }
  if (options.report === null) fail('usage: check_report.js REPORT.html [--screenshot FILE] [--width PX] [--allow-empty]');
  if (!Number.isFinite(options.width) || options.width < 320) fail('--width wants a number of pixels, at least 320');
  return options;
}

// In the page: each chart element's state, for the wait and for the report.
function chartStates() {
  return Array.from(document.querySelectorAll('[data-chart]')).map((element) => {
    const svg = element.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : null;
    // Vega's data marks are the role-mark groups; axes, legends and titles have roles of their own.
    const marks = svg ? svg.querySelectorAll('g.role-mark > :is(path, line, rect, circle, text)').length : 0;
    return {
      id: element.id || element.getAttribute('data-chart'),
      empty: element.getAttribute('data-empty'),
      drawn: Boolean(svg) && marks > 0,
      width: box ? Math.round(box.width) : 0,
      height: box ? Math.round(box.height) : 0,
      marks,
      // The page's own message when vega-embed rejected the spec.
      failed: svg ? '' : ((element.querySelector('.view') || {}).textContent || '').trim(),
    };
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(options.report)) fail(`${options.report}: no such file`);
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    fail('playwright-core is missing: run npm ci --prefix tests/browser (scripts/test does)');
  }
  if (!fs.existsSync(kChromium)) fail(`${kChromium} is missing: apt-get install chromium (scripts/test does)`);

  let browser;
  try {
    // Tests run as root, where Chromium's sandbox will not start.
    browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
  } catch (error) {
    fail(`could not start ${kChromium}: ${String(error.message).split('\n')[0]}`);
  }
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: options.width, height: 900 }, deviceScaleFactor: 1 });
    // Anything but the file itself is a failure, and is never let out to the network.
    await context.route(/^(?!file:|data:|blob:)/, (route) => route.abort());
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!/^(file|data|blob):/.test(request.url())) problems.push(`network request: ${request.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text().split('\n')[0]}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error.message).split('\n')[0]}`));

    await page.goto(url.pathToFileURL(path.resolve(options.report)).href, { waitUntil: 'load' });
    // The states function is defined here, so the page gets its source to poll with.
    await page.evaluate(`window.tracebenchChartStates = ${chartStates.toString()};`);
    try {
      await page.waitForFunction(
        () => {
          const charts = window.tracebenchChartStates();
          return charts.length > 0 && charts.every((chart) => chart.empty !== null || chart.drawn || chart.failed);
        },
        null,
        { timeout: kRenderTimeoutMs, polling: 100 },
      );
    } catch {
      // Fall through: the states below say which chart did not draw.
    }
    const charts = await page.evaluate(chartStates);
    if (charts.length === 0) problems.push('no [data-chart] element in the page');
    for (const chart of charts) {
      if (chart.empty !== null) {
        console.log(`${chart.id}: empty (${chart.empty})`);
        if (!options.allowEmpty) problems.push(`${chart.id} is empty: ${chart.empty}`);
      } else if (!chart.drawn) {
        console.log(`${chart.id}: not drawn`);
        problems.push(`${chart.id} has no drawn SVG after ${kRenderTimeoutMs / 1000} s${chart.failed ? `: ${chart.failed}` : ''}`);
      } else {
        console.log(`${chart.id}: ${chart.width}x${chart.height} px, ${chart.marks} marks`);
        if (chart.width < kMinWidth || chart.height < kMinHeight) {
          problems.push(`${chart.id} is ${chart.width}x${chart.height} px, under ${kMinWidth}x${kMinHeight}`);
        }
      }
    }
    if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
  } finally {
    await browser.close();
  }
  if (problems.length > 0) fail(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''));
  console.log('check_report: ok');
}

main().catch((error) => fail(String(error && error.message ? error.message : error).split('\n')[0]));
