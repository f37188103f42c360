/**
 * One n8n instance run by the real CLI: a user folder (SQLite database, encryption key, log
 * file, community packages), the `n8n` commands the demo and the end-to-end test use, and the
 * editor server. Everything lives under the user folder, which callers put in an ignored folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { N8nInstall } from './install';
import { ROOT, tail } from './install';

export const PACKAGE_NAME = 'n8n-nodes-stripe-billing-portal';

export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	/** Plain values; `n8n import:credentials` encrypts them with the instance's key. */
	data: Record<string, unknown>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }>; webhookId?: string }>;
	[key: string]: unknown;
}

/** What `n8n execute --rawOutput` prints: the execution, as n8n stored it. */
export interface CliExecution {
	status: string;
	finished: boolean;
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: Record<string, Array<Array<{ json: Record<string, any> }> | null>>; error?: { message: string } }>>;
			lastNodeExecuted?: string;
			error?: { message: string; description?: string };
		};
	};
}

/** The items a node put out in an execution: on its main output, or, for a tool, its ai_tool output. */
export function nodeOutput(execution: CliExecution, nodeName: string): Array<Record<string, any>> {
	return (execution.data.resultData.runData[nodeName] ?? []).flatMap((run) =>
		(run.data?.main?.[0] ?? run.data?.ai_tool?.[0] ?? []).map((item) => item.json),
	);
}

export interface ExecuteResult extends CommandResult {
	execution?: CliExecution;
}

export class N8nInstance {
	readonly logFile: string;

	constructor(
		readonly install: N8nInstall,
		readonly userFolder: string,
		private readonly extraEnv: Record<string, string> = {},
	) {
		mkdirSync(join(userFolder, '.n8n'), { recursive: true });
		this.logFile = join(userFolder, 'n8n.log');
	}

	get nodesFolder(): string {
		return join(this.userFolder, '.n8n', 'nodes', 'node_modules');
	}

	env(): NodeJS.ProcessEnv {
		// As from a user's shell: jest sets NODE_ENV=test, under which n8n's logger stays silent.
		const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('JEST_')));
		return {
			...inherited,
			N8N_USER_FOLDER: this.userFolder,
			// Logs go to a file so `execute --rawOutput` prints only the execution, and tests can
			// read what n8n said about loading the package.
			N8N_LOG_OUTPUT: 'file',
			N8N_LOG_LEVEL: 'debug',
			N8N_LOG_FILE_LOCATION: this.logFile,
			// No calls home, no banners: this machine reaches nothing but loopback.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			// The editor is served over plain http on localhost.
			N8N_SECURE_COOKIE: 'false',
			// n8n 2.x saves editor changes as they are made; tests and the demo keep the examples as imported.
			N8N_WORKFLOWS_AUTOSAVE_DISABLED: 'true',
			// The AI assistant's intro page would stand between a new owner and the workflows;
			// mcp-registry calls api.n8n.io, which this machine cannot reach.
			N8N_DISABLED_MODULES: 'instance-ai,agents,workflow-builder,chat-hub,mcp-registry',
			...this.extraEnv,
		};
	}

	/** Runs `n8n <args>` with Node 24 and waits for it. */
	async cli(args: string[]): Promise<CommandResult> {
		const child = spawn(this.install.node24, [this.install.bin, ...args], {
			cwd: this.userFolder,
			// Every command that runs workflows starts a task broker, on 5679 unless told otherwise.
			env: { ...this.env(), N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const code = await new Promise<number>((done) => child.on('close', (status) => done(status ?? 1)));
		return { code, stdout, stderr };
	}

	private async cliOrThrow(args: string[]): Promise<CommandResult> {
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}\n${this.logTail()}`);
		}
		return result;
	}

	/**
	 * Installs the package as n8n's community package installer leaves it: the tarball that
	 * `npm pack` makes (so the `files` list and the `n8n` manifest in package.json are what is
	 * tested), unpacked into <user folder>/.n8n/nodes/node_modules/<package>. Pass the tarball
	 * an earlier call returned to install the same one into another instance (queue-mode workers).
	 */
	installPackage(tarball?: string): { folder: string; files: string[]; tarball: string } {
		let files: string[] = [];
		if (!tarball) {
			const packDir = join(this.userFolder, 'pack');
			mkdirSync(packDir, { recursive: true });
			const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', packDir, '--loglevel=error'], {
				cwd: ROOT,
				env: { ...process.env, PATH: `${join(this.install.node24, '..')}:${process.env.PATH ?? ''}` },
				encoding: 'utf8',
			});
			if (packed.status !== 0) throw new Error(`npm pack failed:\n${tail(packed.stdout + packed.stderr)}`);
			const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
			tarball = join(packDir, info[0].filename);
			files = info[0].files.map((file) => file.path);
		}
		const folder = join(this.nodesFolder, PACKAGE_NAME);
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder, { recursive: true });
		const untar = spawnSync('tar', ['-xzf', tarball, '-C', folder, '--strip-components=1'], { encoding: 'utf8' });
		if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
		if (files.length === 0) {
			const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
			files = listed.stdout.split('\n').filter((line) => line && !line.endsWith('/')).map((line) => line.replace(/^[^/]+\//, ''));
		}
		return { folder, files, tarball };
	}

	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const file = join(this.userFolder, 'import', 'credentials.json');
		mkdirSync(join(file, '..'), { recursive: true });
		writeFileSync(file, JSON.stringify(credentials, null, 2));
		await this.cliOrThrow(['import:credentials', `--input=${file}`]);
	}

	async importWorkflows(workflows: WorkflowJson[]): Promise<void> {
		const folder = join(this.userFolder, 'import', 'workflows');
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder, { recursive: true });
		for (const workflow of workflows) writeFileSync(join(folder, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		await this.cliOrThrow(['import:workflow', '--separate', `--input=${folder}`]);
	}

	/**
	 * `n8n execute --id <id> --rawOutput`; `execution` is set when n8n printed one. The CLI prints
	 * through its logger, so with logs going to the file the execution arrives there, as the
	 * message of base-command.js's `log` line (the file is JSON lines).
	 */
	async execute(workflowId: string): Promise<ExecuteResult> {
		const logOffset = this.logSize();
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		let execution: CliExecution | undefined;
		for (const line of this.logText(logOffset).split('\n')) {
			if (!line.startsWith('{')) continue;
			const entry = JSON.parse(line) as { message?: string; metadata?: { file?: string; function?: string } };
			if (entry.metadata?.file === 'base-command.js' && entry.metadata.function === 'log' && entry.message?.startsWith('{')) {
				execution = JSON.parse(entry.message) as CliExecution;
			}
		}
		return { ...result, execution };
	}

	/** Starts `n8n start` (editor and REST API) and resolves once it answers /healthz/readiness. */
	async start(port: number, timeoutMs = 120_000, env: Record<string, string> = {}): Promise<N8nServer> {
		const child = spawn(this.install.node24, [this.install.bin, 'start'], {
			cwd: this.userFolder,
			env: { ...this.env(), N8N_RUNNERS_BROKER_PORT: String(await freePort()), N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: 'localhost', ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const server = new N8nServer(child, `http://localhost:${port}`, this);
		await server.ready(timeoutMs);
		return server;
	}

	/** Where the log ends now, in bytes: pass it to logText or packageWarnings to read only what follows. */
	logSize(): number {
		return existsSync(this.logFile) ? statSync(this.logFile).size : 0;
	}

	logText(sinceOffset = 0): string {
		return existsSync(this.logFile) ? readFileSync(this.logFile).subarray(sinceOffset).toString('utf8') : '';
	}

	logTail(lines = 30): string {
		return `--- ${this.logFile} (last ${lines} lines) ---\n${tail(this.logText(), lines)}`;
	}

	/** Log lines at warn or error level that mention the package or its node and credential types. */
	packageWarnings(sinceOffset = 0): string[] {
		return this.logText(sinceOffset)
			.split('\n')
			.filter((line) => /\b(warn|error)\b/i.test(line))
			.filter((line) => /stripe-?billing-?portal|stripeBillingPortal/i.test(line));
	}
}

export class N8nServer {
	private output = '';
	private exited?: number | null;

	constructor(
		private readonly child: ChildProcess,
		readonly url: string,
		readonly instance: N8nInstance,
	) {
		child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
		child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
		child.on('exit', (code) => (this.exited = code));
		// n8n must not outlive the script that started it, however that script ends.
		const killOnExit = () => child.kill('SIGKILL');
		process.once('exit', killOnExit);
		child.once('exit', () => process.removeListener('exit', killOnExit));
	}

	get console(): string {
		return this.output;
	}

	async ready(timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.exited !== undefined) throw new Error(`n8n start exited (${this.exited}):\n${tail(this.output)}\n${this.instance.logTail()}`);
			try {
				const response = await fetch(`${this.url}/healthz/readiness`);
				if (response.ok) return;
			} catch {
				// not listening yet
			}
			await new Promise((wait) => setTimeout(wait, 250));
		}
		throw new Error(`n8n did not become ready at ${this.url} within ${timeoutMs / 1000} s:\n${tail(this.output)}\n${this.instance.logTail()}`);
	}

	async stop(): Promise<void> {
		if (this.exited !== undefined) return;
		const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(timer);
	}
}

/** A port nothing listens on now (the OS picks it), for n8n's own listeners. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
	const { port } = server.address() as AddressInfo;
	await new Promise((closed) => server.close(closed));
	return port;
}


/** Example workflows shipped in examples/, each given a stable id for `import:workflow`. */
export function exampleWorkflows(): Array<{ file: string; workflow: WorkflowJson }> {
	const folder = join(ROOT, 'examples');
	return readdirSync(folder)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(readFileSync(join(folder, file), 'utf8')) as WorkflowJson;
			// n8n accepts ids of up to 21 characters.
			const id = workflow.id ?? `ex${file.replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 21);
			return { file, workflow: { ...workflow, id } };
		});
}
