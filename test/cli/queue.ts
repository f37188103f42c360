/**
 * n8n in queue mode on this machine: a private Postgres and Redis on 127.0.0.1, n8n main
 * (`n8n start`, which takes the webhooks and puts executions on the Bull queue in Redis) and N
 * workers (`n8n worker`, which run them), all sharing one encryption key, the database and Redis.
 * Each n8n process has its own user folder with this package installed from its `npm pack`
 * tarball, as separate hosts or containers would; their logs are <folder>/<process>/n8n.log.
 *
 *   const cluster = await QueueCluster.create({ folder: join(ROOT, '.cache', 'queue-e2e') });
 *   await cluster.main.importCredentials(...); await cluster.main.importWorkflows([...]);
 *   await cluster.publish(workflowId);   // before start: main registers webhooks at start-up
 *   await cluster.start();
 *   ... POST cluster.webhookUrl('path') ..., cluster.postgres.query('select ...')
 *   await cluster.stop();                // also on failure: every process it started
 *
 * Postgres refuses to run as root, so as root its server runs as the `postgres` user (Debian's
 * `postgresql` package creates it); the binaries come from POSTGRES_BIN_DIR, else the newest
 * /usr/lib/postgresql/<major>/bin. Redis is `redis-server` (REDIS_SERVER to point elsewhere).
 * Every process is started in its own process group and stopped by that group's id, so n8n's
 * task runner children and Postgres's backends go with their parent.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { ensureN8n, tail, type N8nInstall } from './install';
import { freePort, N8nInstance } from './instance';

const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));

/** How long a process gets to stop on SIGTERM (SIGINT for Postgres) before its group is killed. */
const STOP_GRACE_MS = 20_000;

/**
 * A long-running server process in its own process group: output kept (the last 64 KB) and
 * written to a file, readiness polled with a deadline, and the whole group killed on stop() and
 * when the test process exits, however it ends.
 */
export class ManagedProcess {
	private output = '';
	private exit?: { code: number | null; signal: NodeJS.Signals | null };
	private spawnError?: Error;
	private readonly exited: Promise<void>;
	private readonly child: ChildProcess;
	private readonly file?: WriteStream;
	private readonly killOnExit = () => this.signalGroup('SIGKILL');

	constructor(
		readonly name: string,
		readonly command: string,
		readonly args: string[],
		options: { env: NodeJS.ProcessEnv; cwd: string; outputFile?: string; uid?: number; gid?: number },
	) {
		this.child = spawn(command, args, { cwd: options.cwd, env: options.env, uid: options.uid, gid: options.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		if (options.outputFile) this.file = createWriteStream(options.outputFile, { flags: 'a' });
		const keep = (chunk: string) => {
			this.output = (this.output + chunk).slice(-65_536);
			this.file?.write(chunk);
		};
		this.child.stdout?.setEncoding('utf8').on('data', keep);
		this.child.stderr?.setEncoding('utf8').on('data', keep);
		this.exited = new Promise((done) =>
			this.child.once('exit', (code, signal) => {
				this.exit = { code, signal };
				done();
			}),
		);
		this.child.once('error', (error) => (this.spawnError = error));
		process.once('exit', this.killOnExit);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	get running(): boolean {
		return this.exit === undefined && this.spawnError === undefined;
	}

	get console(): string {
		return this.output;
	}

	describeExit(): string {
		if (this.spawnError) return `could not be started (${this.spawnError.message})`;
		return this.exit ? `exited (${this.exit.code ?? this.exit.signal})` : 'running';
	}

	/** Polls `check` every 250 ms until it holds; throws when the process exits first or the deadline passes. */
	async waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, details: () => string = () => ''): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (!this.running) throw new Error(`${this.name} ${this.describeExit()} before ${what}:\n${tail(this.output)}\n${details()}`);
			if (await check().catch(() => false)) return;
			await sleep(250);
		}
		throw new Error(`${this.name}: no ${what} within ${timeoutMs / 1000} s:\n${tail(this.output)}\n${details()}`);
	}

	/** Sends `signal` to the process, waits up to `graceMs` for it to exit, then kills its whole group. */
	async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = STOP_GRACE_MS): Promise<void> {
		if (this.running) {
			this.signalGroup(signal);
			const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
			await this.exited;
			clearTimeout(timer);
		}
		// Children the leader left behind (n8n's task runner, Postgres backends) share its group.
		this.signalGroup('SIGKILL');
		process.removeListener('exit', this.killOnExit);
		await new Promise<void>((closed) => (this.file ? this.file.end(() => closed()) : closed()));
	}

	private signalGroup(signal: NodeJS.Signals): void {
		if (this.child.pid === undefined) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// The group is gone already.
		}
	}
}

/** Debian's Postgres server binaries: POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
	if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
	const base = '/usr/lib/postgresql';
	const majors = existsSync(base)
		? readdirSync(base)
				.filter((name) => existsSync(join(base, name, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (majors.length === 0) {
		throw new Error(`No PostgreSQL server under ${base}/<major>/bin: install Debian's postgresql package (apt-get install postgresql) or set POSTGRES_BIN_DIR`);
	}
	return join(base, majors[0], 'bin');
}

/** Who runs Postgres: this user, or, as root (which Postgres refuses), the `postgres` user. */
function postgresUser(): { uid?: number; gid?: number; name: string } {
	if (process.getuid?.() !== 0) return { name: 'the current user' };
	try {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		return { uid, gid, name: 'postgres' };
	} catch {
		throw new Error('Postgres refuses to run as root and there is no `postgres` user: install Debian\'s postgresql package (it creates one) or run as another user');
	}
}

/** A throw-away Postgres server on 127.0.0.1 only (no Unix socket), trusting local connections, fsync off. */
export class PostgresServer {
	static readonly USER = 'postgres';

	private constructor(
		readonly process: ManagedProcess,
		readonly port: number,
		readonly binDir: string,
		readonly dataDir: string,
		private readonly removeOnStop: string | undefined,
	) {}

	/** initdb into `folder`/data and start the server; resolves once it accepts queries. */
	static async start(folder: string, log: (line: string) => void = () => undefined): Promise<PostgresServer> {
		const binDir = postgresBinDir();
		const user = postgresUser();
		mkdirSync(folder, { recursive: true });
		let home = folder;
		let removeOnStop: string | undefined;
		// The server's user must reach its data folder (created here, then handed to it); a checkout
		// under a private home (0700) hides .cache from it, so the data then goes to a temporary
		// folder instead, removed on stop.
		if (user.uid !== undefined && !reachableBy(user, folder)) {
			home = mkdtempSync(join(tmpdir(), 'n8n-queue-pg-'));
			chmodSync(home, 0o755);
			removeOnStop = home;
			log(`  ${folder} is not reachable by the postgres user; Postgres data in ${home}`);
		}
		const dataDir = join(home, 'data');
		rmSync(dataDir, { recursive: true, force: true });
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
		const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
		const initdbArgs = ['-D', dataDir, '-U', PostgresServer.USER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions'];
		log(`  $ ${join(binDir, 'initdb')} ${initdbArgs.join(' ')}   (as ${user.name})`);
		await run(join(binDir, 'initdb'), initdbArgs, { cwd: home, env, uid: user.uid, gid: user.gid });

		const port = await freePort();
		// Durability is not needed for a test database; fsync off spares the disk.
		const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
		log(`  $ ${join(binDir, 'postgres')} ${args.map((arg) => (arg === '' ? "''" : arg)).join(' ')}   (as ${user.name})`);
		const server = new ManagedProcess('postgres', join(binDir, 'postgres'), args, {
			cwd: home,
			env,
			uid: user.uid,
			gid: user.gid,
			outputFile: join(folder, 'postgres.log'),
		});
		const postgres = new PostgresServer(server, port, binDir, dataDir, removeOnStop);
		try {
			await server.waitUntil('connections on 127.0.0.1', async () => (await postgres.query('select 1', 'postgres')) === '1', 60_000);
		} catch (error) {
			await postgres.stop();
			throw error;
		}
		return postgres;
	}

	/** Runs SQL with psql; returns its unaligned, tab-separated output, trimmed. */
	async query(sql: string, database = 'n8n'): Promise<string> {
		const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(this.port), '-U', PostgresServer.USER, '-d', database, '-c', sql];
		return (await run(join(this.binDir, 'psql'), args, { cwd: this.dataDir, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } })).trim();
	}

	async stop(): Promise<void> {
		// SIGINT is Postgres's fast shutdown: open sessions are ended, nothing waits for clients.
		await this.process.stop('SIGINT');
		if (this.removeOnStop) rmSync(this.removeOnStop, { recursive: true, force: true });
	}
}

function reachableBy(user: { uid?: number; gid?: number }, folder: string): boolean {
	try {
		execFileSync('test', ['-x', folder], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number }): Promise<string> {
	return new Promise((done, fail) => {
		execFile(command, args, { ...options, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
			if (error) fail(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${tail(`${stdout}${stderr}`)}`));
			else done(stdout);
		});
	});
}

/** A throw-away Redis on 127.0.0.1, nothing written to disk. */
export class RedisServer {
	private constructor(
		readonly process: ManagedProcess,
		readonly port: number,
	) {}

	static async start(folder: string, log: (line: string) => void = () => undefined): Promise<RedisServer> {
		mkdirSync(folder, { recursive: true });
		const binary = process.env.REDIS_SERVER ?? 'redis-server';
		const port = await freePort();
		const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder, '--daemonize', 'no'];
		log(`  $ ${binary} ${args.map((arg) => (arg === '' ? "''" : arg)).join(' ')}`);
		const server = new ManagedProcess('redis-server', binary, args, { cwd: folder, env: process.env, outputFile: join(folder, 'redis.log') });
		const redis = new RedisServer(server, port);
		try {
			await server.waitUntil('PONG', () => redisPing(port), 30_000, () => "(Debian's redis-server package, or REDIS_SERVER naming the binary)");
		} catch (error) {
			await redis.stop();
			throw error;
		}
		return redis;
	}

	async stop(): Promise<void> {
		await this.process.stop('SIGTERM');
	}
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((done) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(1000);
		socket.setEncoding('utf8');
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk: string) => {
			answer += chunk;
			if (answer.includes('\r\n')) {
				socket.destroy();
				done(answer.startsWith('+PONG'));
			}
		});
		socket.once('error', () => done(false));
		socket.once('close', () => done(false));
		socket.once('timeout', () => {
			socket.destroy();
			done(false);
		});
	});
}

export interface QueueClusterOptions {
	/** Everything goes here (emptied first): postgres/, redis/, main/, worker-1/, … */
	folder: string;
	/** Default 2. */
	workers?: number;
	/** `n8n worker --concurrency`; default 10 (n8n's default). */
	concurrency?: number;
	log?: (line: string) => void;
}

/** One n8n process of the cluster: what it runs and with which settings, for logs and reports. */
export interface QueueProcess {
	name: string;
	instance: N8nInstance;
	args: string[];
	/** The settings this process gets beyond the shared ones. */
	env: Record<string, string>;
	/** Where readiness is asked: main's /healthz/readiness, a worker's health-check server. */
	readinessUrl: string;
	process?: ManagedProcess;
}

/** Postgres, Redis, n8n main and workers in queue mode; see the file comment. */
export class QueueCluster {
	private constructor(
		readonly install: N8nInstall,
		readonly postgres: PostgresServer,
		readonly redis: RedisServer,
		/** The settings every n8n process shares (queue mode, database, Redis, encryption key, binary data). */
		readonly sharedEnv: Record<string, string>,
		readonly mainProcess: QueueProcess,
		readonly workerProcesses: QueueProcess[],
		readonly mainPort: number,
		private readonly log: (line: string) => void,
	) {}

	/** The main instance: import credentials and workflows through it (it has the shared settings). */
	get main(): N8nInstance {
		return this.mainProcess.instance;
	}

	get processes(): QueueProcess[] {
		return [this.mainProcess, ...this.workerProcesses];
	}

	get mainUrl(): string {
		return `http://127.0.0.1:${this.mainPort}`;
	}

	webhookUrl(path: string): string {
		return `${this.mainUrl}/webhook/${path}`;
	}

	/**
	 * Starts Postgres and Redis, makes a user folder per n8n process with the package installed from
	 * one `npm pack` tarball, and picks every port; no n8n process runs yet.
	 */
	static async create(options: QueueClusterOptions): Promise<QueueCluster> {
		const log = options.log ?? (() => undefined);
		const install = ensureN8n(log);
		rmSync(options.folder, { recursive: true, force: true });
		mkdirSync(options.folder, { recursive: true });

		const postgres = await PostgresServer.start(join(options.folder, 'postgres'), log);
		let redis: RedisServer | undefined;
		try {
			await postgres.query('create database n8n', 'postgres');
			redis = await RedisServer.start(join(options.folder, 'redis'), log);
			const sharedEnv: Record<string, string> = {
				EXECUTIONS_MODE: 'queue',
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: 'n8n',
				DB_POSTGRESDB_USER: PostgresServer.USER,
				DB_POSTGRESDB_PASSWORD: '',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				// One key for all: each process decrypts the credentials main's import encrypted.
				N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
				// Binary data must be where every process can read it: not one process's filesystem.
				N8N_DEFAULT_BINARY_DATA_MODE: 'database',
				// Info, not the CLI helpers' debug: 'Worker started execution …' is info, and debug lines
				// for hundreds of executions cost CPU the workers need.
				N8N_LOG_LEVEL: 'info',
				N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			};
			const mainPort = await freePort();
			sharedEnv.N8N_WEBHOOK_URL = `http://127.0.0.1:${mainPort}/`;

			const mainInstance = new N8nInstance(install, join(options.folder, 'main'), sharedEnv);
			const { tarball } = mainInstance.installPackage();
			const mainProcess: QueueProcess = {
				name: 'main',
				instance: mainInstance,
				args: ['start'],
				env: { N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
				readinessUrl: `http://127.0.0.1:${mainPort}/healthz/readiness`,
			};
			const workerProcesses: QueueProcess[] = [];
			for (let index = 1; index <= (options.workers ?? 2); index++) {
				const instance = new N8nInstance(install, join(options.folder, `worker-${index}`), sharedEnv);
				instance.installPackage(tarball);
				const healthPort = await freePort();
				workerProcesses.push({
					name: `worker-${index}`,
					instance,
					args: ['worker', `--concurrency=${options.concurrency ?? 10}`],
					env: {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						// Without it the worker's server listens on every address; the port is its own above.
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
						N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					},
					readinessUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
				});
			}
			log(`  n8n ${install.version} user folders with the npm pack tarball: ${[mainProcess, ...workerProcesses].map((p) => p.name).join(', ')}`);
			return new QueueCluster(install, postgres, redis, sharedEnv, mainProcess, workerProcesses, mainPort, log);
		} catch (error) {
			await redis?.stop();
			await postgres.stop();
			throw error;
		}
	}

	/** `n8n publish:workflow`: writes the database only, so call it before start(). */
	async publish(workflowId: string): Promise<void> {
		const result = await this.main.cli(['publish:workflow', `--id=${workflowId}`]);
		const active = await this.postgres.query(`select "activeVersionId" is not null from workflow_entity where id = '${workflowId.replace(/'/g, "''")}'`);
		if (result.code !== 0 || active !== 't') {
			throw new Error(`n8n publish:workflow --id=${workflowId} did not publish it (exit ${result.code}):\n${tail(result.stdout + result.stderr)}\n${this.main.logTail()}`);
		}
	}

	/** Starts main and the workers at once; resolves when every one answers its readiness check. */
	async start(timeoutMs = 180_000): Promise<void> {
		await Promise.all(
			this.processes.map(async (entry) => {
				const env = { ...entry.instance.env(), ...entry.env };
				this.log(`  $ node n8n ${entry.args.join(' ')}   (${entry.name})`);
				entry.process = new ManagedProcess(entry.name, this.install.node24, [this.install.bin, ...entry.args], {
					cwd: entry.instance.userFolder,
					env,
					outputFile: join(entry.instance.userFolder, 'console.log'),
				});
				const started = Date.now();
				await entry.process.waitUntil(
					`ready at ${entry.readinessUrl}`,
					async () => (await fetch(entry.readinessUrl, { signal: AbortSignal.timeout(2000) })).ok,
					timeoutMs,
					() => entry.instance.logTail(),
				);
				this.log(`  ${entry.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
			}),
		);
	}

	/**
	 * Waits until main has registered the workflow's production webhooks. Readiness comes first:
	 * n8n 2.41's publication service activates published workflows just after start-up (a
	 * reconciliation pass), and until then a call is answered 404 "webhook is not registered".
	 */
	async waitForWebhooks(workflowId: string, timeoutMs = 60_000): Promise<void> {
		const id = workflowId.replace(/'/g, "''");
		await this.mainProcess.process!.waitUntil(
			`webhooks of workflow ${workflowId} registered`,
			async () => Number(await this.postgres.query(`select count(*) from webhook_entity where "workflowId" = '${id}'`)) > 0,
			timeoutMs,
			() => this.main.logTail(),
		);
	}

	/** Stops the n8n processes, then Redis and Postgres; each one's group is killed if it does not stop in time. */
	/** How many executions of a workflow ended in each status, as n8n stored them in Postgres. */
	async executionStatuses(workflowId: string): Promise<Record<string, number>> {
		const rows = await this.postgres.query(`select status, count(*) from execution_entity where "workflowId" = '${workflowId}' group by status`);
		return Object.fromEntries(
			rows
				.split('\n')
				.filter(Boolean)
				.map((row) => row.split('\t'))
				.map(([status, count]) => [status, Number(count)]),
		);
	}

	/** The error message n8n stored for the first execution that did not succeed (execution data is flatted JSON). */
	async firstFailure(workflowId: string, nodeName: string): Promise<string | undefined> {
		const data = await this.postgres.query(
			`select d.data from execution_data d join execution_entity e on e.id = d."executionId" where e."workflowId" = '${workflowId}' and e.status <> 'success' order by e.id limit 1`,
		);
		if (!data) return undefined;
		try {
			const flatted = createRequire(join(this.install.dir, 'package.json'))('flatted') as { parse: (text: string) => any };
			const run = flatted.parse(data);
			return run?.resultData?.error?.message ?? run?.resultData?.runData?.[nodeName]?.[0]?.error?.message;
		} catch {
			return data.slice(0, 300);
		}
	}

	/**
	 * Calls a workflow's webhook `calls` times and waits until as many of its executions succeeded:
	 * a cluster that has run executions before a measured burst, as a production cluster has (main
	 * past its start-up, each worker past its first loading of the package).
	 */
	async warmUp(workflowId: string, path: string, calls: number, nodeName: string, timeoutMs = 60_000): Promise<void> {
		const url = this.webhookUrl(path);
		const answers = await Promise.all(Array.from({ length: calls }, async (_, callId) => await callWebhook(url, callId)));
		if (answers.some((status) => status !== 200)) throw new Error(`warm-up calls to ${path} were answered ${answers.join(', ')}`);
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const statuses = await this.executionStatuses(workflowId);
			if ((statuses.success ?? 0) >= calls) return;
			if (Date.now() > deadline) {
				throw new Error(`warm-up executions of ${workflowId} did not all succeed in ${timeoutMs / 1000} s: ${JSON.stringify(statuses)} ${await this.firstFailure(workflowId, nodeName)}`);
			}
			await new Promise((wait) => setTimeout(wait, 250));
		}
	}

	/**
	 * The execution each webhook call started, by the `callId` in its body (execution data is
	 * flatted JSON): for reports that follow a call from the webhook to the worker that ran it.
	 */
	async webhookCallExecutions(workflowId: string, webhookNode: string): Promise<Map<string, string>> {
		const rows = await this.postgres.query(
			`select e.id, d.data from execution_data d join execution_entity e on e.id = d."executionId" where e."workflowId" = '${workflowId}'`,
		);
		const flatted = createRequire(join(this.install.dir, 'package.json'))('flatted') as { parse: (text: string) => any };
		const calls = new Map<string, string>();
		for (const row of rows.split('\n').filter(Boolean)) {
			const tab = row.indexOf('\t');
			try {
				const run = flatted.parse(row.slice(tab + 1));
				const callId = run?.resultData?.runData?.[webhookNode]?.[0]?.data?.main?.[0]?.[0]?.json?.body?.callId;
				if (callId !== undefined) calls.set(String(callId), row.slice(0, tab));
			} catch {
				// An execution whose data cannot be read is left out of the map.
			}
		}
		return calls;
	}

	async stop(): Promise<void> {
		await Promise.all(this.processes.map((entry) => entry.process?.stop()));
		await this.redis.stop();
		await this.postgres.stop();
	}

	/** Lines of a process's n8n log (JSON lines) whose message matches. */
	logMessages(entry: QueueProcess, pattern: RegExp, sinceOffset = 0): string[] {
		return entry.instance
			.logText(sinceOffset)
			.split('\n')
			.filter((line) => line.startsWith('{'))
			.map((line) => (JSON.parse(line) as { message?: string }).message ?? '')
			.filter((message) => pattern.test(message));
	}
}

/** How long one webhook call may take before it counts as lost (n8n queues it; the answer comes at once). */
const WEBHOOK_CALL_TIMEOUT_MS = 60_000;

/**
 * POSTs one call to a production webhook with its call ID in the body; the HTTP status, or the
 * error's name when no answer came (a timeout, a refused connection).
 */
export async function callWebhook(url: string, callId: number): Promise<number | string> {
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ callId }),
			signal: AbortSignal.timeout(WEBHOOK_CALL_TIMEOUT_MS),
		});
		await response.arrayBuffer();
		return response.status;
	} catch (error) {
		return (error as Error).name;
	}
}
