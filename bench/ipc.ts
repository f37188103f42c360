/**
 * The bench's child processes and how the parent talks to them: a request/reply protocol over
 * Node's IPC channel. The sandbox runs in a child so its request handling gets its own event
 * loop (and, on two cores, its own core) instead of competing with the engine being measured;
 * memory is measured in a fresh child per subject so one subject's heap never counts for another.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const TS_PROJECT = resolve(__dirname, '..', 'test', 'tsconfig.json');

interface IpcRequest {
	id: number;
	command: string;
	args: unknown[];
}

type IpcReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; name: string; message: string };

/**
 * A measurement that cannot be made because something it relies on (a sandbox mode, a node
 * option) does not exist yet. Reported as such rather than as a bad figure.
 */
export class MissingFeatureError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MissingFeatureError';
	}
}

export function isMissingFeature(error: unknown): boolean {
	return error instanceof Error && error.name === 'MissingFeatureError';
}

/** Starts a TypeScript file as a child with the same ts-node setup as the bench itself. */
export function forkTypeScript(file: string, nodeFlags: string[] = []): ChildProcess {
	return fork(file, [], {
		execArgv: [...nodeFlags, '--require', require.resolve('ts-node/register/transpile-only')],
		env: { ...process.env, TS_NODE_PROJECT: TS_PROJECT },
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
}

/** Parent side: calls a child's commands and awaits their replies. */
export class ChildClient {
	private nextId = 1;
	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	private readonly exited: Promise<void>;

	constructor(
		private readonly child: ChildProcess,
		private readonly name: string,
	) {
		child.on('message', (message: IpcReply) => {
			const waiter = this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id);
			if (message.ok) {
				waiter.resolve(message.value);
			} else {
				const error = new Error(message.message);
				error.name = message.name;
				waiter.reject(error);
			}
		});
		this.exited = new Promise((done) => {
			child.once('exit', (code, signal) => {
				const error = new Error(`${name} exited (${signal ?? `code ${code}`}) before it answered`);
				for (const waiter of this.pending.values()) waiter.reject(error);
				this.pending.clear();
				done();
			});
		});
	}

	async call<T>(command: string, ...args: unknown[]): Promise<T> {
		if (!this.child.connected) throw new Error(`${this.name} is not running`);
		const id = this.nextId++;
		const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
		this.child.send({ id, command, args } satisfies IpcRequest);
		return (await reply) as T;
	}

	/** Closes the channel (the child then exits by itself) and waits for the child to end. */
	async close(): Promise<void> {
		if (this.child.connected) this.child.disconnect();
		const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
		await this.exited;
		clearTimeout(killTimer);
	}
}

export type Handlers = Record<string, (...args: never[]) => unknown>;

/**
 * Child side: answers the parent's calls with `handlers` and runs `onClose` when the parent
 * goes away, so no child outlives the bench.
 */
export function serve(handlers: Handlers, onClose: () => Promise<void> | void = () => undefined): void {
	const reply = (message: IpcReply) => process.send?.(message);
	process.on('message', async (request: IpcRequest) => {
		const handler = handlers[request.command];
		try {
			if (!handler) throw new Error(`Unknown command "${request.command}"`);
			const value = await handler(...(request.args as never[]));
			reply({ id: request.id, ok: true, value });
		} catch (error) {
			const { name, message } = error instanceof Error ? error : new Error(String(error));
			reply({ id: request.id, ok: false, name, message });
		}
	});
	process.once('disconnect', () => {
		void Promise.resolve(onClose()).finally(() => process.exit(0));
	});
}
