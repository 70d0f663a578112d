// The quick-start notebook in a real JupyterLab, driven in headless Chromium.
//
//   node e2e/browser/lab-quickstart.mjs [NOTEBOOK]
//
// Starts JupyterLab (from the virtualenv, on 127.0.0.1 with a random token)
// in a temporary folder holding a copy of NOTEBOOK (default
// notebooks/01-quickstart.ipynb), opens it in the system Chromium through
// playwright-core (no browser download), and then, as a user would:
//
//   1. runs all cells from the Run menu and waits until every cell has run;
//      checks that no cell shows an error, that every %plot and %eval cell
//      shows a decoded PNG and every %simulate, %data, %model, %sample,
//      %eval and %who cell an HTML table;
//   2. types a long %train into the %train cell, runs it and presses the
//      toolbar's interrupt button while it trains: the cell must end with
//      KeyboardInterrupt and a summary saying "stopped interrupted", and the
//      kernel must return to idle;
//   3. restarts the kernel from the toolbar and runs the first cell again: it
//      must run as execution count 1 of the new kernel.
//
// Screenshots of every step go to a temporary folder, printed at the end
// (also on failure). The gocinn kernelspec must be installed where Jupyter
// looks (scripts/test.sh installs it into a temporary JUPYTER_DATA_DIR).
// Exits with status 1 on any failure, including a missing browser.
//
// Environment:
//   GOCINN_VENV      virtualenv with JupyterLab (default: REPO/.venv)
//   CHROMIUM         the browser (default: chromium or chromium-browser on PATH)
//   GOCINN_UI_TIMEOUT  seconds one UI step may take (default 60); running all
//                      cells and training may take ten times that.

import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const venv = process.env.GOCINN_VENV || path.join(repo, '.venv');
const notebook = path.resolve(process.argv[2] || path.join(repo, 'notebooks', '01-quickstart.ipynb'));
const uiTimeout = 1000 * Number(process.env.GOCINN_UI_TIMEOUT || 60);
const runTimeout = 10 * uiTimeout;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gocinn-browser-'));
const shots = path.join(work, 'screenshots');
fs.mkdirSync(shots);

function log(msg) {
  console.log(`browser: ${msg}`);
}

function fail(msg) {
  throw new Error(msg);
}

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  fail('Chromium is not installed: run scripts/setup.sh (apt-get install chromium) or set CHROMIUM');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// writeSettings gives JupyterLab settings that keep a test quiet and
// deterministic: every cell stays in the page (no windowing), no news
// poll, no extension manager talking to PyPI.
function writeSettings(dir) {
  const put = (file, obj) => {
    const p = path.join(dir, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, JSON.stringify(obj));
  };
  put('@jupyterlab/notebook-extension/tracker.jupyterlab-settings', { windowingMode: 'none' });
  put('@jupyterlab/apputils-extension/notification.jupyterlab-settings', { fetchNews: 'false', checkForUpdates: false });
  put('@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings', { enabled: false });
}

async function startLab(root) {
  const lab = path.join(venv, 'bin', 'jupyter-lab');
  if (!fs.existsSync(lab)) fail(`${lab} not found: run scripts/setup.sh (or set GOCINN_VENV)`);
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const state = path.join(work, 'lab-state');
  writeSettings(path.join(state, 'settings'));
  const logPath = path.join(work, 'jupyterlab.log');
  const out = fs.openSync(logPath, 'w');
  const proc = spawn(
    lab,
    [
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      `--port=${port}`,
      `--ServerApp.root_dir=${root}`,
      `--IdentityProvider.token=${token}`,
    ],
    {
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        JUPYTERLAB_SETTINGS_DIR: path.join(state, 'settings'),
        JUPYTERLAB_WORKSPACES_DIR: path.join(state, 'workspaces'),
      },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `token ${token}` };
  const deadline = Date.now() + uiTimeout;
  for (;;) {
    if (proc.exitCode !== null) fail(`JupyterLab exited with status ${proc.exitCode}; its log: ${logPath}`);
    try {
      const r = await fetch(`${base}/api/kernelspecs`, { headers });
      if (r.ok) {
        const specs = await r.json();
        if (!specs.kernelspecs.gocinn) {
          fail(`JupyterLab does not see the gocinn kernel (it has ${Object.keys(specs.kernelspecs).join(', ')}): run gocinn install --user`);
        }
        break;
      }
    } catch (e) {
      if (e.message.includes('gocinn kernel')) throw e;
    }
    if (Date.now() > deadline) fail(`JupyterLab did not answer on ${base}; its log: ${logPath}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, base, token, logPath };
}

// Per-cell facts read from the page.
const CELLS = `Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(c => ({
  source: c.querySelector('.jp-InputArea-editor')?.innerText ?? '',
  prompt: c.querySelector('.jp-InputArea-prompt')?.innerText.trim() ?? '',
  text: c.querySelector('.jp-OutputArea')?.innerText ?? '',
  errors: c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
  pngs: Array.from(c.querySelectorAll('.jp-OutputArea-output img[src^="data:image/png"]')).filter(i => i.complete && i.naturalWidth > 0).length,
  tables: c.querySelectorAll('.jp-OutputArea-output.jp-RenderedHTMLCommon table, .jp-OutputArea-output .jp-RenderedHTMLCommon table').length,
}))`;

// What the interrupt test runs in the %train cell.
const LONG_TRAIN = '%train --epochs 100000 --patience -1';

const STATUS = `document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status')`;

async function waitFor(page, fn, arg, what, timeout = uiTimeout) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 250 });
  } catch (e) {
    fail(`the page did not show ${what} within ${timeout / 1000} s`);
  }
}

async function cells(page) {
  return page.evaluate(CELLS);
}

// cellIndex finds the first code cell whose source contains text.
async function cellIndex(page, text) {
  const i = (await cells(page)).findIndex((c) => c.source.includes(text));
  if (i < 0) fail(`no cell of ${path.basename(notebook)} contains ${text}`);
  return i;
}

async function runCell(page, index) {
  const cell = page.locator('.jp-Notebook .jp-CodeCell').nth(index);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+Enter');
}

async function shot(page, name) {
  const p = path.join(shots, name);
  await page.screenshot({ path: p });
  log(`screenshot ${p}`);
}

function checkAllRan(list) {
  const problems = [];
  list.forEach((c, i) => {
    const first = c.source.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
    const magics = c.source.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('%'));
    const has = (m) => magics.some((l) => l === m || l.startsWith(m + ' '));
    if (!/^\[\d+\]:$/.test(c.prompt)) problems.push(`cell ${i} (${first}) did not run: prompt ${c.prompt}`);
    if (c.errors) problems.push(`cell ${i} (${first}) shows an error: ${c.text.slice(-400)}`);
    if ((has('%plot') || has('%eval')) && c.pngs === 0) problems.push(`cell ${i} (${first}) shows no rendered PNG`);
    const tabled = ['%data', '%model', '%%model', '%sample', '%eval', '%who'].some(has) ||
      magics.some((l) => l.startsWith('%simulate ') && !l.includes('--quiet'));
    if (tabled && c.tables === 0) problems.push(`cell ${i} (${first}) shows no HTML table`);
  });
  return problems;
}

async function main() {
  if (!fs.existsSync(notebook)) fail(`${notebook} not found`);
  const root = path.join(work, 'root');
  fs.mkdirSync(path.join(root, 'exports'), { recursive: true });
  const name = path.basename(notebook);
  // Without its outputs, so that everything checked below comes from this run.
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8'));
  for (const c of nb.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  fs.writeFileSync(path.join(root, name), JSON.stringify(nb));

  const browserPath = findChromium();
  const lab = await startLab(root);
  log(`JupyterLab at ${lab.base}, Chromium ${browserPath}`);
  let context;
  let page;
  try {
    context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: browserPath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Only the loopback server: nothing leaves the machine.
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${lab.base}/lab/tree/${name}?reset&token=${lab.token}`);
    await waitFor(page, () => document.body.innerText.includes('gocinn (cINN)'), null, "the kernel's display name");
    await waitFor(page, (s) => eval(s) === 'idle', STATUS, 'the kernel idle');
    const n = (await cells(page)).length;
    log(`opened ${name}: ${n} code cells`);

    // 1. Run all cells from the menu.
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    await waitFor(
      page,
      (s) => {
        const ps = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')).map((p) => p.innerText.trim());
        return eval(s) === 'idle' && ps.length > 0 && ps.every((p) => /^\[\d+\]:$/.test(p));
      },
      STATUS,
      'every cell run and the kernel idle',
      runTimeout,
    );
    const ran = await cells(page);
    const problems = checkAllRan(ran);
    const pngs = ran.reduce((a, c) => a + c.pngs, 0);
    const tables = ran.reduce((a, c) => a + c.tables, 0);
    log(`ran all ${ran.length} cells: ${pngs} PNG figures and ${tables} HTML tables rendered`);
    const plotCell = ran.findIndex((c) => c.source.includes('%plot corner'));
    if (plotCell >= 0) await page.locator('.jp-Notebook .jp-CodeCell').nth(plotCell).scrollIntoViewIfNeeded();
    await shot(page, '1-run-all.png');
    if (problems.length) fail(`after Run All Cells:\n  ${problems.join('\n  ')}`);

    // 2. Interrupt %train while it trains. The notebook's own %train is
    // short, so the test types a long one into that cell first (no early
    // stopping): the interrupt then always lands mid-training, however fast
    // the machine.
    const train = await cellIndex(page, '%train');
    const editor = page.locator('.jp-Notebook .jp-CodeCell').nth(train).locator('.jp-InputArea-editor');
    await editor.scrollIntoViewIfNeeded();
    await editor.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type(LONG_TRAIN);
    await waitFor(page, ([i, t]) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i].querySelector('.jp-InputArea-editor').innerText.trim() === t,
      [train, LONG_TRAIN], 'the long %train typed into the cell');
    await runCell(page, train);
    await waitFor(
      page,
      ([s, i]) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i];
        // Training is under way once the progress display counts steps.
        return eval(s) === 'busy' && /epoch \d+\/\d+\s+step [1-9]\d*\/\d+/.test(c.querySelector('.jp-OutputArea')?.innerText ?? '');
      },
      [STATUS, train],
      "%train's progress display",
    );
    await shot(page, '2-training.png');
    await page.locator('[data-command="notebook:interrupt-kernel"]').click();
    await waitFor(
      page,
      ([s, i]) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i];
        const p = c.querySelector('.jp-InputArea-prompt').innerText.trim();
        return eval(s) === 'idle' && /^\[\d+\]:$/.test(p) && c.querySelector('.jp-OutputArea').innerText.includes('KeyboardInterrupt');
      },
      [STATUS, train],
      'KeyboardInterrupt in the %train cell and the kernel idle',
    );
    const after = (await cells(page))[train];
    if (!/stopped\s+interrupted/.test(after.text)) fail(`the interrupted %train shows no "stopped interrupted" in its summary:\n${after.text.slice(-600)}`);
    log(`interrupted %train: prompt ${after.prompt}, kernel idle`);
    await shot(page, '3-interrupted.png');

    // 3. Restart the kernel and run the first cell on the new one.
    await page.locator('[data-command="notebook:restart-kernel"]').click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await waitFor(page, () => !document.querySelector('.jp-Dialog'), null, 'the restart dialog closed');
    await waitFor(page, (s) => eval(s) === 'idle', STATUS, 'the restarted kernel idle');
    await runCell(page, 0);
    await waitFor(
      page,
      (s) => {
        const c = document.querySelector('.jp-Notebook .jp-CodeCell');
        return eval(s) === 'idle' && c.querySelector('.jp-InputArea-prompt').innerText.trim() === '[1]:' &&
          c.querySelectorAll('.jp-OutputArea-output').length > 0;
      },
      STATUS,
      'the first cell run as [1] on the restarted kernel',
    );
    const first = (await cells(page))[0];
    if (first.errors) fail(`the first cell failed after the restart: ${first.text.slice(-400)}`);
    await shot(page, '4-restarted.png');
    log('restarted the kernel; the first cell ran as [1]');
  } catch (e) {
    if (page) {
      try {
        await shot(page, 'failure.png');
      } catch {
        // the page is gone
      }
    }
    throw e;
  } finally {
    if (context) await context.close();
    // JupyterLab shuts its kernels down on SIGTERM; wait for that.
    if (lab.proc.exitCode === null) {
      const exited = new Promise((resolve) => lab.proc.once('exit', resolve));
      lab.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15000))]);
    }
    log(`screenshots in ${shots} (JupyterLab log ${lab.logPath})`);
  }
}

main().then(
  () => {
    log('PASS');
    process.exit(0);
  },
  (e) => {
    console.error(`browser: FAIL: ${e.message}`);
    console.error(`browser: screenshots in ${shots}`);
    process.exit(1);
  },
);
