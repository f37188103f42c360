/**
 * Helpers for the publishing tests: a fresh clone of the repository's HEAD, `npm pack` run in it
 * as a user would run it, and n8n's community-package scanner.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** A temporary folder, removed by the returned function. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment an npm command gets in these tests: this Node first on PATH, and none of the
 * npm_* variables of the `npm test` that started jest, nor the machine's own npmrc files, so what
 * runs is decided by the repository's files alone.
 */
export function npmEnvironment(scratch: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	for (const level of ['user', 'global']) {
		const emptyConfig = join(scratch, `empty-${level}-npmrc`);
		writeFileSync(emptyConfig, '');
		env[`npm_config_${level}config`] = emptyConfig;
	}
	env.npm_config_update_notifier = 'false';
	env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
	return env;
}

/**
 * `git clone` of the repository's HEAD into <scratch>/<name>: the files a fresh clone has, without
 * dist/ or anything else git ignores. With `dependencies`, node_modules is this checkout's (a
 * link: an `npm ci` of 2,000 packages would only repeat what is installed here).
 */
export function freshClone(scratch: string, name: string, { dependencies }: { dependencies: boolean }): string {
	const dir = join(scratch, name);
	const cloned = spawnSync('git', ['clone', '--quiet', ROOT, dir], { encoding: 'utf8' });
	if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
	if (dependencies) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
	return dir;
}

export interface PackResult {
	run: SpawnSyncReturns<string>;
	/** The tarball's path, when npm made one. */
	tarball?: string;
	/** Paths inside the package, as npm listed them. */
	files: string[];
}

/** `npm pack --json` in `dir`, the tarball written to `destination`. */
export function npmPack(dir: string, destination: string, env: NodeJS.ProcessEnv): PackResult {
	mkdirSync(destination, { recursive: true });
	const run = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: dir,
		env,
		encoding: 'utf8',
		timeout: 180_000,
	});
	if (run.status !== 0) return { run, files: [] };
	const info = JSON.parse(run.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
	return { run, tarball: join(destination, info[0].filename), files: info[0].files.map((file) => file.path) };
}

/** Unpacks a tarball into `dir` without its leading package/ folder. */
export function unpack(tarball: string, dir: string): string {
	mkdirSync(dir, { recursive: true });
	const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { encoding: 'utf8' });
	if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
	return dir;
}

export interface ScanJob {
	dir: string;
	/** 'source' for the scanner's own source patterns (package.json, nodes/, credentials/). */
	patterns: string[] | 'source';
}

export interface ScanResult {
	passed: boolean;
	message: string | null;
	details: string | null;
}

/**
 * The file patterns the scanner's CLI lints a downloaded tarball with (analyzePackageByName in
 * scanner/scanner.mjs): the compiled JavaScript and the published package.json.
 */
export const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

/** Runs n8n's scanner on each folder, in one child process (test/support/scan-package.mjs). */
export function scan(jobs: ScanJob[], scratch: string): ScanResult[] {
	const tmp = join(scratch, 'scanner-tmp');
	mkdirSync(tmp, { recursive: true });
	// Not under jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base then reads file names as its own
	// tests write them, and reports a file named as the convention wants as misnamed.
	// The scanner makes a temporary folder when it loads; keep it inside the test's own.
	const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
	delete env.NODE_ENV;
	const run = spawnSync(process.execPath, [join(__dirname, 'scan-package.mjs'), JSON.stringify(jobs)], {
		cwd: ROOT,
		env,
		encoding: 'utf8',
		timeout: 180_000,
	});
	if (run.status !== 0) throw new Error(`the scanner failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
	return JSON.parse(run.stdout) as ScanResult[];
}
