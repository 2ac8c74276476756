/**
 * P7: what the user waits for, in Debian's Chromium (the one Galata uses), driven by Playwright.
 *
 *   node benchmarks/browser/p7.js CONFIG.json   → one JSON line on stdout: {ui: {action: [ms, ...]}}
 *
 * CONFIG: {chromium, repeats, uis: [{label, kind: 'ours'|'mlflow', url}], data: {...}} (see p7_browser.py).
 * Every UI gets its own fresh browser context (empty HTTP cache) and runs the same actions `repeats` times;
 * the first repeat in a context is "cold" when the servers were just started. A time is taken in the page:
 * from the user's input event (mousedown/keydown, captured on window) or the start of a scripted step, to the
 * animation frame in which the DOM signal of the result first holds (the frame the browser then paints).
 * A step that does not finish in its limit (stepLimit, the scroll's scrollLimit) is recorded as -limit: "more
 * than limit"; the next steps go on.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const { chromium } = require(
  path.join(REPO, 'ui-tests', 'node_modules', 'playwright-core')
);
const oursActions = require('./p7_ours');
const mlflowActions = require('./p7_mlflow');

const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run'
];

/** Progress on stderr when P7_VERBOSE is set. */
function log(line) {
  if (process.env.P7_VERBOSE) {
    process.stderr.write(`${line}\n`);
  }
}

/** In every page: the time of the next user input once armed, and a signal that records its own frame. */
function probe() {
  window.__p7 = { armed: false, t0: 0, t1: 0 };
  const mark = () => {
    if (window.__p7.armed) {
      window.__p7.armed = false;
      window.__p7.t0 = performance.now();
    }
  };
  window.addEventListener('mousedown', mark, true);
  window.addEventListener('keydown', mark, true);
}

/** The page's requests (for the waterfall P7_VERBOSE prints after each step). */
function recordRequests(page) {
  const seen = [];
  const started = new Map();
  page.on('request', r => started.set(r, Date.now()));
  const done = r => {
    const t = started.get(r);
    if (t !== undefined) {
      const url = new URL(r.url());
      seen.push({
        path: url.pathname + url.search,
        start: t,
        ms: Date.now() - t
      });
    }
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return seen;
}

/** The slowest requests started since `since` (ms since the epoch), as lines. */
function waterfall(requests, since) {
  return requests
    .filter(r => r.start >= since - 5)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 6)
    .map(
      r =>
        `    +${r.start - since} ms ${r.ms} ms ${decodeURIComponent(r.path).slice(0, 150)}`
    );
}

/** Helpers shared by the two UIs' actions. */
function timing(page, stepLimit) {
  const requests = recordRequests(page);
  let since = Date.now();
  return {
    /** Time the next input event from now on. */
    arm: async () => {
      since = Date.now();
      await page.evaluate(() => {
        window.__p7.armed = true;
        window.__p7.t1 = 0;
      });
    },
    /** Start the clock now (a scripted step with no input event). */
    start: async () => {
      since = Date.now();
      await page.evaluate(() => {
        window.__p7.armed = false;
        window.__p7.t0 = performance.now();
        window.__p7.t1 = 0;
      });
    },
    /**
     * Wait until `predicate(arg)` holds in an animation frame; the ms from t0 to that frame.
     * The predicate is a function source evaluated in the page.
     */
    until: async (predicate, arg, limit) => {
      log(`  waiting: ${predicate.name} ${JSON.stringify(arg).slice(0, 160)}`);
      try {
        await page.waitForFunction(
          ({ source, arg }) => {
            // eslint-disable-next-line no-new-func
            const ok = new Function('arg', `return (${source})(arg);`)(arg);
            if (ok && !window.__p7.t1) {
              window.__p7.t1 = performance.now();
            }
            return ok;
          },
          { source: predicate.toString(), arg },
          { polling: 'raf', timeout: limit || stepLimit }
        );
      } catch (error) {
        if (error.name !== 'TimeoutError') {
          throw error;
        }
        log(
          `  ${predicate.name}: gave up after ${limit || stepLimit} ms; last requests:`
        );
        requests
          .filter(r => r.start >= since - 5)
          .slice(-12)
          .forEach(r =>
            log(
              `    +${r.start - since} ms ${r.ms} ms ${decodeURIComponent(r.path).slice(0, 150)}`
            )
          );
        if (process.env.P7_VERBOSE) {
          const shot = `/tmp/p7-gave-up-${Date.now()}.png`;
          await page.screenshot({ path: shot }).catch(() => undefined);
          log(`    screenshot ${shot}`);
        }
        return -(limit || stepLimit); // a lower bound: not there after that long
      }
      const ms = await page.evaluate(() => window.__p7.t1 - window.__p7.t0);
      log(`  ${predicate.name}: ${ms.toFixed(0)} ms; slowest requests since:`);
      waterfall(requests, since).forEach(log);
      return ms;
    }
  };
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Wait `settle` ms, then until the backend's access log (`logPath`, when given) has not grown for 3 s: every
 * request the last page left has been answered (at most 5 min).
 */
async function quiet(logPath, settle) {
  await sleep(settle);
  if (!logPath) {
    return;
  }
  const size = () => (fs.existsSync(logPath) ? fs.statSync(logPath).size : 0);
  const deadline = Date.now() + 300000;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const now = size();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= 3000) {
      return;
    }
    await sleep(500);
  }
  log(`  the backend was still busy after 5 min`);
}

/**
 * Idle mode (CONFIG.idle = {settle, window} in ms): every UI (ours) opens its views at once and stays still;
 * after `settle` (the polls reach their idle pace) the window [t0, t1] (ms since the epoch) is reported, in
 * which the caller counts the requests its backend got.
 */
async function idle(browser, config) {
  const pages = [];
  for (const ui of config.uis) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 }
    });
    const page = await context.newPage();
    page.setDefaultTimeout(config.timeout || 600000);
    await oursActions.idle(page, ui, config.data);
    pages.push(page);
  }
  await sleep(config.idle.settle);
  const t0 = Date.now();
  await sleep(config.idle.window);
  const out = {};
  for (const ui of config.uis) {
    out[ui.label] = { idle: [t0, Date.now()] };
  }
  return out;
}

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const browser = await chromium.launch({
    executablePath: config.chromium || '/usr/bin/chromium',
    args: ARGS
  });
  if (config.idle) {
    try {
      process.stdout.write(JSON.stringify(await idle(browser, config)) + '\n');
    } finally {
      await browser.close();
    }
    return;
  }
  const out = {};
  try {
    for (const ui of config.uis) {
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 }
      });
      await context.addInitScript(probe);
      const page = await context.newPage();
      page.setDefaultTimeout(config.timeout || 600000);
      const t = timing(page, config.stepLimit || 120000);
      const actions = ui.kind === 'ours' ? oursActions : mlflowActions;
      const times = {};
      try {
        await actions.load(page, ui, config.data);
        for (let i = 0; i < config.repeats; i++) {
          const got = await actions.run(page, t, ui, config.data);
          for (const [name, ms] of Object.entries(got)) {
            (times[name] = times[name] || []).push(ms);
          }
        }
      } catch (error) {
        const shot = path.join(
          config.shots || '/tmp',
          `p7-${ui.label}-failed.png`
        );
        await page.screenshot({ path: shot }).catch(() => undefined);
        times.error = `${String(error).split('\n')[0]} (screenshot ${shot})`;
      }
      out[ui.label] = times;
      await context.close();
      // let the shared mlflow server finish what the closed page left it (one worker): the MLflow UI leaves
      // dozens of runs/search in flight after its scroll, which would slow the next UI's steps
      await quiet(config.backendLog, config.settle ?? 5000);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
