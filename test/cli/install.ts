/**
 * Installs the pinned n8n CLI (test/cli/n8n/package.json and its lockfile) into
 * .cache/n8n/<version>-<lock hash>/ and reuses it while the lockfile is unchanged.
 *
 * A plain `npm install n8n` fails on these machines: install scripts of n8n's optional native
 * modules (@confluentinc/kafka-javascript and others) download prebuilt binaries from outside the
 * npm registry. So nothing runs its install script, and the one native module the CLI needs to
 * start, sqlite3 (n8n's default database), is then built from source against Node 24's headers,
 * which the `node` npm package ships beside its binary.
 *
 * Run as a script (`npm run n8n:install`) it installs and prints where.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const MANIFEST_DIR = join(__dirname, 'n8n');

export interface N8nInstall {
	version: string;
	/** Install folder, .cache/n8n/<version>-<hash>. */
	dir: string;
	/** n8n's bin script, run with `node24`. */
	bin: string;
	/** A Node.js 24 binary (n8n 2.x refuses older ones). */
	node24: string;
}

export function pinnedN8nVersion(): string {
	const manifest = JSON.parse(readFileSync(join(MANIFEST_DIR, 'package.json'), 'utf8'));
	return manifest.dependencies.n8n as string;
}

/** The Node 24 binary: this process's when it is 24+, else the one scripts/node24.sh installs into .tools/. */
export function node24Binary(): string {
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	return execFileSync('bash', [join(ROOT, 'scripts', 'node24.sh'), 'node', '-p', 'process.execPath'], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	}).trim();
}

/**
 * The folder holding include/node for `nodeBinary`, checked against its version: node-gyp would
 * otherwise build against whatever `nodedir` npm is configured with (here /usr, Node 20's headers)
 * and sqlite3 would fail to load under Node 24 with a NODE_MODULE_VERSION mismatch.
 */
export function headersFor(nodeBinary: string): string {
	const version = execFileSync(nodeBinary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
	const binDir = dirname(nodeBinary);
	const candidates = [
		process.env.N8N_E2E_NODEDIR,
		resolve(binDir, '..'), // official tarball layout: bin/node beside include/node
		resolve(binDir, '..', 'node_modules', `node-${process.platform}-${process.arch}`), // the `node` npm package
	].filter((dir): dir is string => !!dir);
	for (const dir of candidates) {
		const header = join(dir, 'include', 'node', 'node_version.h');
		if (!existsSync(header)) continue;
		const text = readFileSync(header, 'utf8');
		const part = (name: string) => new RegExp(`#define\\s+NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
		if (`${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === version) return dir;
	}
	throw new Error(
		`No Node.js ${version} headers (include/node/node_version.h) next to ${nodeBinary}. ` +
			'Run with the Node that scripts/node24.sh installs, or set N8N_E2E_NODEDIR to a folder holding include/node for that version.',
	);
}

function lockHash(): string {
	return createHash('sha256')
		.update(readFileSync(join(MANIFEST_DIR, 'package-lock.json')))
		.digest('hex')
		.slice(0, 10);
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, log: (line: string) => void): void {
	log(`  $ ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
	if (result.status !== 0) {
		const output = tail(`${result.stdout ?? ''}${result.stderr ?? ''}`);
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${options.cwd}:\n${output}`);
	}
}

/** The last lines of a command's output, for error messages. */
export function tail(text: string, lines = 40): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}

/** Installs n8n when the cache is missing or stale; returns where it is. */
export function ensureN8n(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): N8nInstall {
	const version = pinnedN8nVersion();
	const dir = join(ROOT, '.cache', 'n8n', `${version}-${lockHash()}`);
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const node24 = node24Binary();
	const marker = join(dir, '.installed');
	if (existsSync(marker) && existsSync(bin)) return { version, dir, bin, node24 };

	const started = Date.now();
	log(`Installing n8n ${version} into ${dir.slice(ROOT.length + 1)} (once; later runs reuse it)`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	copyFileSync(join(MANIFEST_DIR, 'package.json'), join(dir, 'package.json'));
	copyFileSync(join(MANIFEST_DIR, 'package-lock.json'), join(dir, 'package-lock.json'));
	const env = {
		...process.env,
		PATH: `${dirname(node24)}:${process.env.PATH ?? ''}`,
		npm_config_nodedir: headersFor(node24),
		npm_config_update_notifier: 'false',
	};
	// `npm install` against the committed lockfile installs the locked versions. `npm ci` would
	// refuse it: the registry here lacks some other platforms' optional packages (msgpackr-extract
	// for darwin and win32), so the lockfile has no entries for them and npm ci calls it out of sync.
	run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env }, log);
	run('npm', ['rebuild', 'sqlite3', '--build-from-source', '--ignore-scripts=false', '--loglevel=error'], { cwd: dir, env }, log);
	// Proves the addon loads under Node 24 before the cache is marked good.
	run(node24, ['-e', "require('sqlite3')"], { cwd: dir, env }, log);
	writeFileSync(marker, `${new Date().toISOString()}\n`);
	log(`Installed n8n ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
	return { version, dir, bin, node24 };
}

if (require.main === module) {
	try {
		const install = ensureN8n();
		console.log(`n8n ${install.version}: ${install.bin} (node ${install.node24})`);
	} catch (error) {
		console.error((error as Error).message);
		process.exit(1);
	}
}
