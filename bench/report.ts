/**
 * The bench's output: facts about the machine and versions (figures mean little without them),
 * plain-text tables for the terminal, and the whole result as JSON under bench/out/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';

import type { BurstRow, BurstSection } from './bursts';
import type { MemorySection } from './memory';
import type { QueueSection } from './queue';
import { RATIO_GOAL, type PerItemSection } from './per-item';
import { RAISED_ACCOUNT, WALL_GOAL, type RateLimitSection } from './rate-limit';
import { ROOT } from './subjects';
import { triggerText, type TriggerSection } from './trigger';
import { triggerInN8nText, type TriggerInN8nSection } from './trigger-n8n';

export const OUT_DIR = resolve(__dirname, 'out');

export interface Environment {
	node: string;
	n8nCore: string;
	n8nWorkflow: string;
	stripeSdk: string;
	package: string;
	cpuCount: number;
	availableParallelism: number;
	cpuModel: string;
	platform: string;
	totalMemoryMb: number;
	/**
	 * 1/5/15-minute load averages when the bench started and ended: on a small machine, other
	 * work running at the same time shows here and in the spread of the per-item rounds.
	 */
	loadAverage: { start: number[]; end?: number[] };
	gitCommit: string | null;
	gitDirty: boolean | null;
}

export interface BenchResult {
	startedAt: string;
	mode: 'full' | 'quick';
	sizes: unknown;
	environment: Environment;
	/** Features the bench relies on that were not there; each leaves some figure unmeasured or unthrottled. */
	missingFeatures: string[];
	rateLimit?: RateLimitSection;
	perItem?: PerItemSection;
	memory?: MemorySection;
	bursts?: BurstSection;
	queue?: QueueSection;
	trigger?: TriggerSection;
	triggerInN8n?: TriggerInN8nSection;
	/** Seconds each section took, by its letter. */
	sectionS: Record<string, number>;
	totalS: number;
}

function versionOf(packageName: string): string {
	try {
		const json = JSON.parse(readFileSync(join(ROOT, 'node_modules', packageName, 'package.json'), 'utf8'));
		return String(json.version);
	} catch {
		return 'unknown';
	}
}

function git(args: string[]): string | null {
	try {
		return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

export function loadAverage(): number[] {
	return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function environment(): Environment {
	const ownPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	const status = git(['status', '--porcelain', '--untracked-files=no']);
	return {
		node: process.version,
		n8nCore: versionOf('n8n-core'),
		n8nWorkflow: versionOf('n8n-workflow'),
		stripeSdk: versionOf('stripe'),
		package: `${ownPackage.name}@${ownPackage.version}`,
		cpuCount: cpus().length,
		availableParallelism: availableParallelism(),
		cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
		platform: `${platform()} ${release()}`,
		totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
		loadAverage: { start: loadAverage() },
		gitCommit: git(['rev-parse', '--short', 'HEAD']),
		gitDirty: status === null ? null : status !== '',
	};
}

// ---------------------------------------------------------------------------------------------
// Text

function num(value: number | null | undefined, digits = 0): string {
	return value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function table(headers: string[], rows: string[][]): string {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
	return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function environmentText(env: Environment, result: BenchResult): string {
	return [
		`Environment: node ${env.node}, n8n-core ${env.n8nCore}, n8n-workflow ${env.n8nWorkflow}, stripe ${env.stripeSdk}`,
		`             ${env.cpuCount} × ${env.cpuModel} (available parallelism ${env.availableParallelism}), ${env.totalMemoryMb} MB, ${env.platform}`,
		`             load average ${env.loadAverage.start.join(' ')} at start, ${env.loadAverage.end?.join(' ') ?? '—'} at end`,
		`             ${env.package} at ${env.gitCommit ?? 'unknown commit'}${env.gitDirty ? ' (uncommitted changes)' : ''}; mode ${result.mode}`,
	].join('\n');
}

function rateLimitText(section: RateLimitSection): string {
	const title = '(a) Rate limit: sandbox answers 429 above its limit; node On Error = Continue';
	if (section.status !== 'measured') return `${title}\n  NOT MEASURED: ${section.error}`;
	const rows = section.rows.map((r) => [
		`${r.label}, ${r.setting}`,
		String(r.items),
		String(r.failedItems),
		String(r.outputItems),
		num(r.wallS, 1),
		num(r.floorS, 1),
		`${num(r.wallOverFloor, 2)}×`,
		num(r.limited),
		num(r.maxInAnyWindow),
		String(r.sessions),
		String(r.duplicates),
		r.goals ? [mark(r.goals.failedZero), mark(r.goals.wall), mark(r.goals.noDuplicates)].join('/') : '',
	]);
	const details = section.rows.flatMap((r) => [
		...r.notes.map((n) => `  ${r.label}, ${r.setting}: NOTE ${n}`),
		...(r.runError ? [`  ${r.label}, ${r.setting}: run error ${r.runError}`] : []),
		...r.failures.map((f) => `  ${r.label}, ${r.setting}: failed ${f}`),
		...r.sandboxInternalErrors.map((e) => `  ${r.label}, ${r.setting}: SANDBOX INTERNAL ERROR ${e}`),
		...(r.limitedByStatus !== null && r.limitedByStatus !== r.limited
			? [`  ${r.label}, ${r.setting}: 429s by recorded status ${r.limitedByStatus} ≠ rate-limit counter ${r.limited}`]
			: []),
	]);
	return [
		title,
		`  floor = items / min(sandbox limit, node rate); goals column (this node only): failed = 0 / wall ≤ ${WALL_GOAL}× floor (the raised account ${RAISED_ACCOUNT.wallGoal}×), all items through / dup = 0`,
		table(
			['run', 'items', 'failed', 'output', 'wall s', 'floor s', 'wall/floor', '429s', 'max/1 s', 'sessions', 'dup', 'goals'],
			rows,
		),
		...details,
	].join('\n');
}

function perItemText(section: PerItemSection): string {
	const title = `(b) Per-item cost, no limit: ${section.items} items at once, median of ${section.rounds} rounds after ${section.warmUpRounds} warm-up`;
	if (section.status !== 'measured') return `${title}\n  NOT MEASURED: ${section.error}`;
	const rows = section.summaries.map((s) => [
		s.label,
		num(s.medianPerItemUs),
		`${num(s.minPerItemUs)}–${num(s.maxPerItemUs)}`,
		num(s.medianWallMs),
		String(s.failedItems),
	]);
	const { oursOverMinimal, oursOverSdk, minimalOverSdk } = section.ratios;
	const { paired } = section;
	return [
		title,
		table(['subject', 'µs/item', 'range µs', 'wall ms', 'failed'], rows),
		`  ours/minimal within each round: median ${num(paired.median, 2)} (goal ≤ ${RATIO_GOAL}: ${mark(section.goalMet)}), range ${num(paired.min, 2)}–${num(paired.max, 2)}`,
		`  ratios of the medians: ours/minimal ${num(oursOverMinimal, 2)}, ours/SDK ${num(oursOverSdk, 2)}, minimal/SDK ${num(minimalOverSdk, 2)}`,
		...section.notes.map((n) => `  NOTE ${n}`),
	].join('\n');
}

function memoryText(section: MemorySection): string {
	const title = `(c) Peak memory: ${section.items} items through the engine, a fresh process per subject, no limit`;
	if (section.status !== 'measured') return `${title}\n  NOT MEASURED: ${section.error}`;
	const rows = section.rows.map((r) => [
		r.label,
		num(r.baselineRssMb),
		num(r.peakRssMb),
		num(r.peakRssMb - r.baselineRssMb),
		num(r.baselineHeapUsedMb),
		num(r.peakHeapUsedMb),
		num(r.wallMs / 1000, 1),
		String(r.failedItems),
		String(r.sessions),
	]);
	return [
		title,
		table(
			['subject', 'base RSS MB', 'peak RSS MB', 'Δ RSS MB', 'base heap MB', 'peak heap MB', 'wall s', 'failed', 'sessions'],
			rows,
		),
		...section.rows.flatMap((r) => r.failures.map((f) => `  ${r.label}: failed ${f}`)),
		...section.notes.map((n) => `  NOTE ${n}`),
	].join('\n');
}

function percent(share: number): string {
	return Number.isNaN(share) ? '—' : `${(share * 100).toFixed(1)} %`;
}

function burstGoals(r: BurstRow): string {
	if (!r.goals) return '';
	return [r.goals.failedZero, r.goals.noDuplicates, r.goals.wall, r.goals.steadyLimited].map(mark).join('/');
}

/** Seconds of a run as "requests/429s" pairs, for a row that missed a goal. */
function timelineText(r: BurstRow): string {
	return r.timeline.map((s, i) => `${i}:${s.requests}/${s.limited}`).join(' ');
}

function limiterText(r: BurstRow): string | undefined {
	if (!r.limiter || r.limiter.samples.length === 0) return undefined;
	const every = Math.max(1, Math.round(r.limiter.samples.length / 12));
	const picked = r.limiter.samples.filter((_, i) => i % every === 0);
	const rate = (s: (typeof picked)[number]) => `${(s.t / 1000).toFixed(1)}s ${num(s.globalRate, 1)}${s.endpointRate === null ? '' : `/${num(s.endpointRate, 1)}`}`;
	return picked.map(rate).join(', ');
}

function burstsText(section: BurstSection): string {
	const title = '(d) Bursts of concurrent executions: one process, executions started at once, sandbox with Stripe\'s limiters';
	if (section.status !== 'measured') return `${title}\n  NOT MEASURED: ${section.error}`;
	const { goals } = section;
	const rows = section.rows.map((r) => [
		r.label,
		r.subjectLabel,
		String(r.failedItems),
		String(r.failedExecutions),
		String(r.requests),
		num(r.limited),
		percent(r.limitedShare),
		percent(r.steadyLimitedShare),
		String(r.duplicates),
		num(r.maxInAnyWindow),
		num(r.achievedPerSecond, 1),
		num(r.wallS, 1),
		num(r.floorS, 1),
		`${num(r.wallOverFloor, 2)}×`,
		burstGoals(r),
	]);
	const details = section.rows.flatMap((r) => {
		const who = `${r.label}, ${r.subjectLabel}`;
		const missed = r.goals !== null && Object.values(r.goals).some((ok) => !ok);
		const limiter = limiterText(r);
		return [
			...r.notes.map((n) => `  ${who}: NOTE ${n}`),
			...r.failures.map((f) => `  ${who}: failed ${f}`),
			...r.sandboxInternalErrors.map((e) => `  ${who}: SANDBOX INTERNAL ERROR ${e}`),
			...(r.itemFigures.duplicateItems.length > 0
				? [`  ${who}: duplicated items ${r.itemFigures.duplicateItems.map((d) => `${d.item} ×${d.sessions} (${d.keys} keys)`).join(', ')}`]
				: []),
			...(missed ? [`  ${who}: requests/429s per second ${timelineText(r)}`] : []),
			...(missed && limiter ? [`  ${who}: limiter rate global/sessions endpoint over time: ${limiter}`] : []),
		];
	});
	return [
		title,
		`  floor = items / the limit that binds (25/s: global in test mode, the sessions endpoint in live mode); 429 % of all requests, steady = of those in the 2nd half of the run (by arrival);`,
		`  max/1 s = most accepted in any 1000 ms of that limit; sent/s = requests per second from the first arrival to the last`,
		`  goals (this node): failed = 0 / dup = 0 / wall ≤ ${goals.burstWall}× floor for bursts, ≤ ${goals.singleWall}× for one execution / steady 429 ≤ ${percent(goals.steadyLimitedShare)}`,
		table(
			['scenario', 'subject', 'failed', 'failed exec', 'requests', '429s', '429 %', 'steady', 'dup', 'max/1 s', 'sent/s', 'wall s', 'floor s', 'wall/floor', 'goals'],
			rows,
		),
		...details,
	].join('\n');
}

function queueText(section: QueueSection): string {
	const title = '(q) Queue mode: n8n main + workers (concurrency 10) in Postgres/Redis queue mode, webhook calls at once, sandbox below what the workers can send';
	if (section.status !== 'measured') return `${title}\n  NOT MEASURED: ${section.error}`;
	const rows = section.rows.map((r) => [
		`${r.workers} worker${r.workers === 1 ? '' : 's'}, ${r.calls} calls at ${r.sandboxRequestsPerSecond}/s, ${r.sandboxLimiter}, ${r.credential ?? 'documented limits'}`,
		String(r.failedExecutions),
		String(r.requests),
		num(r.limited),
		percent(r.limitedShare),
		percent(r.steadyLimitedShare),
		String(r.duplicates),
		num(r.maxInAnyWindow),
		num(r.wallS, 1),
		num(r.floorS, 1),
		`${num(r.wallOverFloor, 2)}×`,
		num(r.startUpS, 0),
		[r.goals.failedZero, r.goals.noDuplicates, r.goals.wall, r.goals.steadyLimited, r.goals.limited].map(mark).join('/'),
	]);
	const details = section.rows.flatMap((r) => {
		const who = `${r.workers} worker${r.workers === 1 ? '' : 's'} (${r.sandboxLimiter}, ${r.credential ?? 'documented limits'})`;
		const missed = Object.values(r.goals).some((ok) => !ok);
		return [
			`  ${who}: wall ${num(r.wallS, 1)} s = ${num(r.leadInS, 1)} s until Stripe's first request + ${num(r.sendingS, 1)} s sending (${num(r.acceptedPerSecond, 2)} accepted/s) + ${num(r.tailS, 1)} s after the last`,
			`  ${who}: executions ${JSON.stringify(r.executionStatuses)}, answers ${JSON.stringify(r.httpStatuses)}, per worker ${Object.entries(r.perWorker)
				.map(([name, w]) => `${name} ${w.executions} exec ${w.requests} req ${w.limited} 429s`)
				.join('; ')}`,
			...(r.firstFailure ? [`  ${who}: first failure ${r.firstFailure}`] : []),
			...r.notes.map((n) => `  ${who}: NOTE ${n}`),
			...r.sandboxInternalErrors.map((e) => `  ${who}: SANDBOX INTERNAL ERROR ${e}`),
			...(missed ? [`  ${who}: requests/429s per second ${r.timeline.map((s, i) => `${i}:${s.requests}/${s.limited}`).join(' ')}`] : []),
		];
	});
	return [
		title,
		`  floor = calls / the sandbox's limit; goals: failed = 0 / dup = 0 / wall ≤ ${section.wallGoal}× floor / steady 429 ≤ 5 % (2nd half of the run) / all 429 ≤ 5 %; start-up (cluster, not in wall) in s`,
		table(['run', 'failed exec', 'requests', '429s', '429 %', 'steady', 'dup', 'max/1 s', 'wall s', 'floor s', 'wall/floor', 'start-up', 'goals'], rows),
		...details,
	].join('\n');
}

export function render(result: BenchResult): string {
	const parts = [environmentText(result.environment, result)];
	if (result.rateLimit) parts.push(rateLimitText(result.rateLimit));
	if (result.perItem) parts.push(perItemText(result.perItem));
	if (result.memory) parts.push(memoryText(result.memory));
	if (result.bursts) parts.push(burstsText(result.bursts));
	if (result.queue) parts.push(queueText(result.queue));
	if (result.trigger) parts.push(triggerText(result.trigger));
	if (result.triggerInN8n) parts.push(triggerInN8nText(result.triggerInN8n));
	if (result.missingFeatures.length > 0) {
		parts.push(['MISSING FEATURES (figures that depend on them are not what the goals are about):', ...result.missingFeatures.map((f) => `  - ${f}`)].join('\n'));
	}
	const sections = Object.entries(result.sectionS ?? {}).map(([name, seconds]) => `(${name}) ${num(seconds, 0)} s`);
	parts.push(`Total ${num(result.totalS, 0)} s${sections.length > 0 ? `: ${sections.join(', ')}` : ''}`);
	return `${parts.join('\n\n')}\n`;
}

/** Writes the result as bench/out/<mode>-<time>.json and bench/out/latest.json; returns the first path. */
export function writeJson(result: BenchResult): string {
	mkdirSync(OUT_DIR, { recursive: true });
	const stamp = result.startedAt.replace(/[:.]/g, '-');
	const file = join(OUT_DIR, `${result.mode}-${stamp}.json`);
	const text = `${JSON.stringify(result, null, '\t')}\n`;
	writeFileSync(file, text);
	writeFileSync(join(OUT_DIR, 'latest.json'), text);
	return relative(process.cwd(), file);
}
