/**
 * The parent's handle on the sandbox child (sandbox-process.ts).
 */
import { resolve } from 'node:path';

import { ChildClient, forkTypeScript } from './ipc';

export interface RateLimit {
	requestsPerSecond: number;
}

export interface RateLimitStats {
	accepted: number;
	limited: number;
	maxInAnyWindow: number;
}

export interface SandboxStats {
	requests: number;
	/** Responses by HTTP status, or null when the sandbox does not record a request's status. */
	statuses: Record<string, number> | null;
	/** null when the sandbox has no rate-limit mode. */
	rateLimit: RateLimitStats | null;
	sessions: number;
	/** The first few, if any: a bench figure is void when the sandbox itself failed. */
	internalErrors: string[];
}

export class SandboxProcess {
	private constructor(private readonly client: ChildClient) {}

	static launch(): SandboxProcess {
		return new SandboxProcess(new ChildClient(forkTypeScript(resolve(__dirname, 'sandbox-process.ts')), 'The sandbox process'));
	}

	/** Replaces the running sandbox with a fresh one (new port, new data); resolves to its base URL. */
	async start(limit?: RateLimit): Promise<string> {
		return await this.client.call<string>('start', limit ?? null);
	}

	async setRateLimit(limit: RateLimit | undefined): Promise<void> {
		await this.client.call('setRateLimit', limit ?? null);
	}

	async reset(): Promise<void> {
		await this.client.call('reset');
	}

	async stats(): Promise<SandboxStats> {
		return await this.client.call<SandboxStats>('stats');
	}

	async sessionCount(): Promise<number> {
		return await this.client.call<number>('sessionCount');
	}

	async close(): Promise<void> {
		await this.client.close();
	}
}
