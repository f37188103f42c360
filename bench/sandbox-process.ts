/**
 * Child process entry: hosts the Stripe sandbox for the bench (see sandbox.ts for the parent side).
 *
 * The rate-limit mode is reached through duck typing rather than the sandbox's types, so the
 * bench still compiles and runs against a sandbox that does not have it yet, and says so.
 */
import * as http from 'node:http';

import { StripeSandbox } from '../test/sandbox';
import { MissingFeatureError, serve } from './ipc';
import type { RateLimit, RateLimitStats, SandboxStats } from './sandbox';

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

async function start(limit?: RateLimit): Promise<string> {
	// A new instance per start: its rate-limit counters and data begin at zero, whatever reset() keeps.
	await sandbox?.stop();
	sandbox = new StripeSandbox();
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

serve(
	{
		start,
		setRateLimit: (limit: RateLimit | null) => rateLimiting(current()).setRateLimit(limit ?? undefined),
		reset: () => current().reset(),
		stats,
		sessionCount: () => current().sessions.length,
	},
	async () => {
		await sandbox?.stop();
	},
);
