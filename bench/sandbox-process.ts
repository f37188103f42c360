/**
 * Child process entry: hosts the Stripe sandbox for the bench (see sandbox.ts for the parent side).
 *
 * The rate-limit mode is reached through duck typing rather than the sandbox's types, so the
 * bench still compiles and runs against a sandbox that does not have it yet, and says so.
 */
import * as http from 'node:http';

import { StripeSandbox } from '../test/sandbox';
import { MissingFeatureError, serve } from './ipc';
import type { ItemStats, RateLimit, RateLimitStats, SandboxStats, SecondCounts, StartOptions } from './sandbox';

interface RateLimitingSandbox {
	setRateLimit(limit: RateLimit | undefined): void;
	readonly rateLimitStats: RateLimitStats | undefined;
}

/**
 * A thousand requests started in one tick overflow Node's default accept queue (511): the kernel
 * drops the SYNs beyond it and those clients try again a second later, which puts a one-second
 * step into whichever subject happened to connect fastest. The sandbox calls
 * `server.listen(port, host, callback)`; this child gives that call a deeper queue (the kernel
 * still caps it at net.core.somaxconn).
 */
const ACCEPT_BACKLOG = 8192;
const listen = http.Server.prototype.listen as (this: http.Server, ...args: unknown[]) => http.Server;
http.Server.prototype.listen = function (this: http.Server, ...args: unknown[]) {
	const [port, host, callback] = args;
	if (args.length === 3 && typeof port === 'number' && typeof host === 'string' && typeof callback === 'function') {
		return listen.call(this, port, host, ACCEPT_BACKLOG, callback);
	}
	return listen.apply(this, args);
} as typeof http.Server.prototype.listen;

let sandbox: StripeSandbox | undefined;

function current(): StripeSandbox {
	if (!sandbox) throw new Error('The sandbox is not started');
	return sandbox;
}

function rateLimiting(target: StripeSandbox): RateLimitingSandbox {
	const candidate = target as unknown as Partial<RateLimitingSandbox>;
	if (typeof candidate.setRateLimit !== 'function' || !('rateLimitStats' in candidate)) {
		throw new MissingFeatureError(
			'the Stripe sandbox has no rate-limit mode (StripeSandbox.setRateLimit() and rateLimitStats are not there)',
		);
	}
	return candidate as RateLimitingSandbox;
}

async function start(limit?: RateLimit | null, options: StartOptions = {}): Promise<string> {
	// A new instance per start: its rate-limit counters and data begin at zero, whatever reset() keeps.
	await sandbox?.stop();
	sandbox = new StripeSandbox(options.secretKeys ? { secretKeys: options.secretKeys } : {});
	const baseUrl = await sandbox.start();
	if (limit) rateLimiting(sandbox).setRateLimit(limit);
	return baseUrl;
}

function stats(): SandboxStats {
	const target = current();
	const statuses: Record<string, number> = {};
	let recorded = 0;
	for (const request of target.requests) {
		const status = (request as { status?: unknown }).status;
		if (typeof status !== 'number') continue;
		recorded++;
		statuses[status] = (statuses[status] ?? 0) + 1;
	}
	const limiting = target as unknown as Partial<RateLimitingSandbox>;
	const rateLimit = 'rateLimitStats' in limiting ? limiting.rateLimitStats : undefined;
	return {
		requests: target.requests.length,
		statuses: recorded > 0 ? statuses : null,
		rateLimit: rateLimit ? { ...rateLimit } : null,
		sessions: target.sessions.length,
		internalErrors: target.internalErrors.map((error) => error.message).slice(0, 5),
	};
}

const SESSIONS_PATH = '/v1/billing_portal/sessions';

function itemOf(body: Record<string, unknown>): string | undefined {
	const returnUrl = body.return_url;
	if (typeof returnUrl !== 'string') return undefined;
	try {
		return new URL(returnUrl).searchParams.get('item') ?? undefined;
	} catch {
		return undefined;
	}
}

function itemStats(): ItemStats {
	const target = current();
	const first = target.requests[0]?.receivedAt ?? 0;
	const timeline: SecondCounts[] = [];
	const sessionsByItem = new Map<string, { sessions: number; keys: Set<string> }>();
	let sessionPosts = 0;
	let replayed = 0;
	let unattributed = 0;
	for (const request of target.requests) {
		const second = Math.max(0, Math.floor((request.receivedAt - first) / 1000));
		while (timeline.length <= second) timeline.push({ requests: 0, limited: 0 });
		timeline[second].requests++;
		if (request.status === 429) timeline[second].limited++;
		if (request.method !== 'POST' || request.path !== SESSIONS_PATH) continue;
		sessionPosts++;
		if (request.status !== 200) continue;
		if (request.replayed) {
			replayed++;
			continue;
		}
		const item = itemOf(request.body);
		if (item === undefined) {
			unattributed++;
			continue;
		}
		const entry = sessionsByItem.get(item) ?? { sessions: 0, keys: new Set<string>() };
		entry.sessions++;
		entry.keys.add(String(request.headers['idempotency-key'] ?? ''));
		sessionsByItem.set(item, entry);
	}
	const span = (target.requests.at(-1)?.receivedAt ?? first) - first;
	const secondHalf = { requests: 0, limited: 0 };
	for (const request of target.requests) {
		if (request.receivedAt - first < span / 2) continue;
		secondHalf.requests++;
		if (request.status === 429) secondHalf.limited++;
	}
	const duplicated = [...sessionsByItem].filter(([, entry]) => entry.sessions > 1);
	return {
		sessionPosts,
		itemsWithSession: sessionsByItem.size,
		duplicates: duplicated.reduce((sum, [, entry]) => sum + entry.sessions - 1, 0),
		duplicateItems: duplicated.slice(0, 10).map(([item, entry]) => ({ item, sessions: entry.sessions, keys: entry.keys.size })),
		replayed,
		unattributed,
		arrivalSpanMs: span,
		// receivedAt is this process's performance.now(); timeOrigin turns it into wall-clock time.
		firstArrivalEpochMs: target.requests.length > 0 ? performance.timeOrigin + first : null,
		lastArrivalEpochMs: target.requests.length > 0 ? performance.timeOrigin + first + span : null,
		secondHalf,
		timeline,
	};
}

/** Every session POST as [ms since the first request, status (0: none), Idempotency-Key]. */
function sessionPostLog(): Array<[number, number, string]> {
	const target = current();
	const first = target.requests[0]?.receivedAt ?? 0;
	return target.requests
		.filter((request) => request.method === 'POST' && request.path === SESSIONS_PATH)
		.map((request) => [Math.round(request.receivedAt - first), request.status ?? 0, String(request.headers['idempotency-key'] ?? '')]);
}

serve(
	{
		start,
		itemStats,
		sessionPostLog,
		setRateLimit: (limit: RateLimit | null) => rateLimiting(current()).setRateLimit(limit ?? undefined),
		reset: () => current().reset(),
		stats,
		sessionCount: () => current().sessions.length,
	},
	async () => {
		await sandbox?.stop();
	},
);
