/**
 * A logger that stands in for @n8n/backend-common's Logger in the DI container and behind
 * n8n-workflow's LoggerProxy, and keeps every line so tests can assert on it (for example that a
 * secret never reaches the logs).
 *
 * Lines are attributed to the harness call that produced them through AsyncLocalStorage, so
 * concurrent runs in one test file each get their own `logs`. Lines logged outside any run are
 * kept in `orphanLogs`.
 * Set N8N_HARNESS_LOG=1 to also print the lines to stderr.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogMetadata } from 'n8n-workflow';

type Level = 'error' | 'warn' | 'info' | 'debug';

const MAX_LINE_LENGTH = 20_000;

const currentSink = new AsyncLocalStorage<string[]>();

/** Lines logged while no harness call was running (e.g. while loading a package). */
export const orphanLogs: string[] = [];

function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, v: unknown) => {
			if (v instanceof Error) {
				// Errors' own enumerable fields (description, context, cause ...) plus the usual suspects.
				return { ...v, name: v.name, message: v.message, stack: v.stack };
			}
			if (typeof v === 'bigint') return v.toString();
			if (typeof v === 'function') return `[Function ${(v as { name?: string }).name ?? ''}]`;
			if (v !== null && typeof v === 'object') {
				if (seen.has(v)) return '[Circular]';
				seen.add(v);
			}
			return v;
		});
	} catch (error) {
		return `[unserialisable metadata: ${(error as Error).message}]`;
	}
}

export class CaptureLogger {
	readonly echo = process.env.N8N_HARNESS_LOG === '1';

	error(message: string, metadata?: LogMetadata): void {
		this.write('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata): void {
		this.write('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata): void {
		this.write('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata): void {
		this.write('debug', message, metadata);
	}

	/** n8n services call `logger.scoped('x')`; one capture logger serves every scope. */
	scoped(): this {
		return this;
	}

	private write(level: Level, message: unknown, metadata?: LogMetadata): void {
		const text = typeof message === 'string' ? message : serialise(message);
		const meta = metadata && Object.keys(metadata).length > 0 ? ` ${serialise(metadata)}` : '';
		let line = `${level}: ${text}${meta}`;
		if (line.length > MAX_LINE_LENGTH) line = `${line.slice(0, MAX_LINE_LENGTH)}… [truncated]`;
		(currentSink.getStore() ?? orphanLogs).push(line);
		if (this.echo) process.stderr.write(`[n8n] ${line}\n`);
	}
}

/** Runs `fn` with its own log sink; every line the engine logs meanwhile lands in `logs`. */
export async function withLogCapture<T>(fn: () => Promise<T>): Promise<{ value: T; logs: string[] }> {
	const logs: string[] = [];
	const value = await currentSink.run(logs, fn);
	return { value, logs };
}
