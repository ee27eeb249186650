// The inspector page in a real browser (Debian's chromium driven by
// playwright-core): for a handoff run and a blocked run made by the real
// engine with fixture workers, the page written by `buran inspect` is opened
// from file:// and its DOM is checked against `buran status --json` and
// events.jsonl; stepping back and forth replays the log; no request may leave
// the page. Then the served page is watched while the run advances.
// Fails (never skips) without /usr/bin/chromium: CI installs it (.ci/run).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import type { StatusJson } from '../../src/engine/statusView.js';
import { closeQueues } from '../../src/queue/openQueues.js';
import { agent, approvedRun, cleanup, git, packet, waitFor } from '../engine/fixtures/project.js';
import { type CliProcess, buranIn, servedUrl, spawnBuran } from './fixtures/cli.js';

const CHROMIUM = '/usr/bin/chromium';
// These flags keep chromium from reaching for the network on start (this machine has none).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = resolve('test-artifacts/inspect');
const TITLE = 'Greet <img src="http://192.0.2.1/pixel.png"> & say </script> "hi"';

let browser: Browser;
const servers: CliProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the inspector's browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await closeQueues();
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await browser?.close();
  await cleanup();
});

interface InspectedRun {
  readonly repo: string;
  readonly runId: string;
  readonly status: StatusJson;
  readonly events: EventRecord[];
  readonly file: string;
}

/** Approve and drive a real run, then write its page with `buran inspect` and read `buran status --json`. */
async function inspectedRun(mode: string, name: string): Promise<InspectedRun> {
  const { repo, project, runId } = await approvedRun(packet({ command: agent(mode), title: TITLE, tasks: ['alpha', { id: 'beta', dependsOn: ['alpha'] }] }));
  await project.runner.drive(runId);
  const status = await buranIn(repo, 'status', '--run', runId, '--json');
  const file = join(repo, `${name}.html`);
  const written = await buranIn(repo, 'inspect', '--run', runId, '--out', file);
  expect(written.code, written.err).toBe(0);
  const log = readFileSync(join(project.store.runDir(runId), 'events.jsonl'), 'utf8');
  const events = log
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EventRecord);
  return { repo, runId, status: JSON.parse(status.out) as StatusJson, events, file };
}

/** Open a page, recording every request it makes. */
async function open(url: string): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 5_000 }).catch((error: unknown) => {
    throw new Error(`the page script did not finish: ${errors.join('; ')} (${String(error)})`);
  });
  expect(errors).toEqual([]);
  return { page, requests };
}

/** The data-path of every highlighted state of a chart. */
const highlighted = async (page: Page, chart: 'run' | 'task'): Promise<(string | null)[]> =>
  Promise.all((await page.locator(`#${chart}-chart .state.current`).all()).map((state) => state.getAttribute('data-path')));
const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).textContent()) ?? '';

/** Every task row shows the state `status --json` reports, and the task chart highlights it when the row is selected. */
async function expectTasks(page: Page, status: StatusJson): Promise<void> {
  for (const task of status.tasks) {
    const row = page.locator(`#tasks-body tr[data-task="${task.id}"]`);
    expect(await row.locator('.task-state').textContent()).toBe(task.state);
    await row.click();
    expect(await text(page, '#task-chart-task')).toBe(`${task.id}: ${task.state}`);
    expect(await highlighted(page, 'task')).toEqual(task.state === 'pending' ? [] : [task.state]);
  }
}

describe('the inspector page in chromium', () => {
  it('shows a handoff run: highlighted stage equals status --json, one timeline entry per event, stepping replays the log, no request leaves the page', async () => {
    const run = await inspectedRun('ok', 'handoff');
    expect(run.status.status).toBe('handoff_ready');
    const url = pathToFileURL(run.file).href;
    const { page, requests } = await open(url);

    expect(await text(page, '#title')).toBe(TITLE);
    expect(await highlighted(page, 'run')).toEqual([run.status.stage]);
    expect(await text(page, '#current-stage')).toBe(run.status.stage);
    expect(await page.locator('#timeline li').count()).toBe(run.events.length);
    expect(await page.locator('#step').getAttribute('max')).toBe(String(run.events.length - 1));
    expect(await text(page, '#blocker-code')).toBe('');
    expect(await page.locator('#blocker').isHidden()).toBe(true);
    expect(await text(page, '#next-action-text')).toBe(run.status.nextSafeAction.text);
    await expectTasks(page, run.status);
    await page.screenshot({ path: join(ARTIFACTS, 'handoff.png'), fullPage: true });

    // Back one event: the run is where the last event took it from.
    const lastEvent = run.events.at(-1);
    await page.click('#prev');
    expect(await highlighted(page, 'run')).toEqual([lastEvent?.from]);
    expect(await highlighted(page, 'run')).not.toEqual([run.status.stage]);
    expect(await text(page, '#ev-seq')).toBe(String(run.events.at(-2)?.seq));
    // Keyboard: forward again.
    await page.keyboard.press('ArrowRight');
    expect(await highlighted(page, 'run')).toEqual([run.status.stage]);
    // The slider: the first event.
    await page.locator('#step').fill('0');
    expect(await highlighted(page, 'run')).toEqual([run.events[0]?.to]);
    expect(await page.locator('#timeline li.current').getAttribute('data-index')).toBe('0');
    // Every task is pending before its first transition.
    expect(await page.locator('#tasks-body .task-state').allTextContents()).toEqual(run.status.tasks.map(() => 'pending'));
    await page.keyboard.press('End');
    expect(await highlighted(page, 'run')).toEqual([run.status.stage]);

    expect(requests).toEqual([url]);
  }, 90_000);

  it('shows a blocked run: its blocker code, message and next safe action, and no blocker one event earlier', async () => {
    const run = await inspectedRun('blocked', 'blocked');
    expect(run.status.status).toBe('blocked');
    const blocker = run.status.blocker;
    expect(blocker).not.toBeNull();
    const url = pathToFileURL(run.file).href;
    const { page, requests } = await open(url);

    expect(await highlighted(page, 'run')).toEqual([run.status.stage]);
    expect(await page.locator('#timeline li').count()).toBe(run.events.length);
    expect(await page.locator('#blocker').isVisible()).toBe(true);
    expect(await text(page, '#blocker-code')).toBe(blocker?.code);
    expect(await text(page, '#blocker-message')).toBe(blocker?.message);
    expect(await text(page, '#next-action-text')).toBe(run.status.nextSafeAction.text);
    expect(await text(page, '#next-action-command')).toBe(run.status.nextSafeAction.command);
    await expectTasks(page, run.status);
    await page.screenshot({ path: join(ARTIFACTS, 'blocked.png'), fullPage: true });

    await page.keyboard.press('ArrowLeft');
    expect(await highlighted(page, 'run')).toEqual([run.events.at(-1)?.from]);
    expect(await page.locator('#blocker').isHidden()).toBe(true);

    expect(requests).toEqual([url]);
  }, 90_000);

  it('shows a cancel the queue did not confirm at the latest event, with its next safe action, and not one event earlier', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    // A queue nobody answers (nothing listens on port 1) and an attempt the run sent to it earlier.
    const configFile = join(repo, '.buran', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, `${JSON.stringify({ ...config, queue: { url: 'redis://127.0.0.1:1', remote: join(repo, 'remote.git') } })}\n`);
    mkdirSync(join(project.store.runDir(runId), 'queue'), { recursive: true });
    writeFileSync(join(project.store.runDir(runId), 'queue', 'alpha.a1.json'), `${JSON.stringify({ schema: 'buran.queued-attempt/v1', attemptId: 'alpha.a1', taskId: 'alpha', baseCommit: git(repo, 'rev-parse', 'HEAD').trim(), addedAt: 1, agent: null })}\n`);
    expect((await buranIn(repo, 'cancel', '--run', runId, '--reason', 'browser test')).code).toBe(3);
    const status = JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out) as StatusJson;
    const [hook] = status.unconfirmed;
    expect(hook?.hook).toBe('cancelWorkers');
    const file = join(repo, 'unconfirmed.html');
    expect((await buranIn(repo, 'inspect', '--run', runId, '--out', file)).code).toBe(0);
    const url = pathToFileURL(file).href;
    const { page, requests } = await open(url);

    expect(await page.locator('#unconfirmed').isVisible()).toBe(true);
    expect(await page.locator('#unconfirmed-list li').allTextContents()).toEqual([`cancelWorkers: ${hook?.message ?? ''} ${hook?.nextSafeAction?.text ?? ''}`]);
    expect(await text(page, '#unconfirmed-list')).toContain('alpha.a1');
    await page.screenshot({ path: join(ARTIFACTS, 'unconfirmed.png'), fullPage: true });
    // One event earlier (the run's move to cancelled, before the hook failed) says nothing about it.
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('#unconfirmed').isHidden()).toBe(true);
    expect(requests).toEqual([url]);
  }, 90_000);

  it('updates the served page live while the run advances in another process, fetching only from its own origin', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const server = spawnBuran(repo, 'inspect', '--run', runId, '--serve');
    servers.push(server);
    const url = await waitFor('the served URL', () => servedUrl(server), 20_000);
    const { page, requests } = await open(url);
    expect(await page.locator('#timeline li').count()).toBe(0);
    expect(await highlighted(page, 'run')).toEqual(['active.intake']);

    const result = await project.runner.drive(runId);
    expect(result.status).toBe('handoff_ready');
    await expect.poll(() => page.locator('#timeline li').count(), { timeout: 10_000 }).toBe(result.lastSeq);
    expect(await highlighted(page, 'run')).toEqual([result.stage]);
    expect(await text(page, '#live')).toContain('live');

    const origin = new URL(url).origin;
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});
