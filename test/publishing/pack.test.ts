/**
 * A pack cannot ship incomplete: `npm pack` in a fresh clone of HEAD, as a user or the publish
 * workflow runs it, builds first (the `prepack` script) and the tarball holds every file the `n8n`
 * manifest names, both icons of the node and of the credential, and the codex; without the dev
 * dependencies it refuses and says what to run. `npm publish` outside GitHub Actions refuses and
 * names the release command. The unpacked tarball passes n8n's scanner the way its CLI scans a
 * published package, and a planted violation fails it.
 *
 * The clone is of HEAD: changes not yet committed are not in it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	freshClone,
	npmEnvironment,
	npmPack,
	ROOT,
	scan,
	TARBALL_PATTERNS,
	tempFolder,
	unpack,
	type PackResult,
} from '../support/publishing';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ICONS = [
	'dist/nodes/StripeBillingPortal/stripeBillingPortal.svg',
	'dist/nodes/StripeBillingPortal/stripeBillingPortal.dark.svg',
	'dist/credentials/stripeBillingPortal.svg',
	'dist/credentials/stripeBillingPortal.dark.svg',
];
const CODEX = 'dist/nodes/StripeBillingPortal/StripeBillingPortal.node.json';

jest.setTimeout(240_000);

const scratch = tempFolder('pack-test');
afterAll(() => scratch.remove());
const env = npmEnvironment(scratch.dir);

describe('npm pack in a fresh clone with its dependencies installed', () => {
	let clone: string;
	let pack: PackResult;

	beforeAll(() => {
		clone = freshClone(scratch.dir, 'clone', { dependencies: true });
		pack = npmPack(clone, join(scratch.dir, 'tarballs'), env);
	});

	it('starts from a clone without dist/ and builds it before packing', () => {
		expect(pack.run.status).toBe(0);
		expect(pack.run.stderr).toContain('prepack: npm run build');
		expect(pack.run.stderr).toMatch(/prepack: dist\/ built; the \d+ files the n8n manifest, icons and codex need are there/);
		expect(existsSync(join(clone, 'dist'))).toBe(true);
	});

	it('ships every path of the n8n manifest, both icons of the node and of the credential, and the codex', () => {
		const expected = [...manifest.n8n.nodes, ...manifest.n8n.credentials, ...ICONS, CODEX];
		expect(manifest.n8n.nodes.length).toBeGreaterThan(0);
		expect(manifest.n8n.credentials.length).toBeGreaterThan(0);
		for (const file of expected) expect(pack.files).toContain(file);
		expect(pack.files).toContain('package.json');
		expect(pack.files.every((file) => ['package.json', 'README.md', 'LICENSE'].includes(file) || file.startsWith('dist/'))).toBe(true);
	});

	it('passes n8n’s scanner on the unpacked tarball, and fails it with a planted violation', () => {
		const unpacked = unpack(pack.tarball!, join(scratch.dir, 'unpacked'));
		const planted = join(scratch.dir, 'unpacked-planted');
		cpSync(unpacked, planted, { recursive: true });
		const packageJson = JSON.parse(readFileSync(join(planted, 'package.json'), 'utf8'));
		packageJson.scripts = { ...packageJson.scripts, postinstall: 'node dist/setup.js' };
		writeFileSync(join(planted, 'package.json'), JSON.stringify(packageJson, null, 2));
		const nodeFile = join(planted, manifest.n8n.nodes[0]);
		writeFileSync(nodeFile, `${readFileSync(nodeFile, 'utf8')}\nconsole.log('planted');\n`);

		const [clean, dirty] = scan(
			[
				{ dir: unpacked, patterns: TARBALL_PATTERNS },
				{ dir: planted, patterns: TARBALL_PATTERNS },
			],
			scratch.dir,
		);
		expect(clean).toEqual({ passed: true, message: null, details: null });
		expect(dirty.passed).toBe(false);
		expect(dirty.details).toContain('@n8n/community-nodes/no-forbidden-lifecycle-scripts');
		expect(dirty.details).toContain('no-console');
	});

	it('scans the tarball with the file patterns the scanner’s own CLI uses', () => {
		const scanner = readFileSync(join(ROOT, 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs'), 'utf8');
		expect(scanner).toContain("analyzePackage(packageDir, ['**/*.js', 'package.json'])");
		expect(TARBALL_PATTERNS).toEqual(['**/*.js', 'package.json']);
	});
});

describe('npm pack in a fresh clone without its dependencies', () => {
	it('refuses and says what to run', () => {
		const clone = freshClone(scratch.dir, 'bare-clone', { dependencies: false });
		const pack = npmPack(clone, join(scratch.dir, 'bare-tarballs'), env);
		expect(pack.run.status).not.toBe(0);
		expect(pack.tarball).toBeUndefined();
		expect(pack.run.stderr).toContain('npm pack / npm publish refused');
		expect(pack.run.stderr).toContain('npm ci --ignore-scripts');
		expect(existsSync(join(scratch.dir, 'bare-tarballs', `${manifest.name}-${manifest.version}.tgz`))).toBe(false);
	});
});

describe('npm publish', () => {
	// What npm runs first on `npm publish` (npm sets npm_config_dry_run for `--dry-run`).
	const prepublish = (extra: NodeJS.ProcessEnv) =>
		spawnSync(process.execPath, ['scripts/prepublish.mjs'], { cwd: ROOT, env: { ...env, GITHUB_ACTIONS: '', ...extra }, encoding: 'utf8' });

	it('runs scripts/prepublish.mjs first, and prepack builds before it is packed', () => {
		expect(manifest.scripts.prepublishOnly).toBe('node scripts/prepublish.mjs');
		expect(manifest.scripts.prepack).toBe('node scripts/prepack.mjs');
	});

	it('is refused outside GitHub Actions, with the release command to run instead', () => {
		const run = prepublish({});
		expect(run.status).not.toBe(0);
		expect(run.stderr).toContain('npm publish refused');
		expect(run.stderr).toContain('npm run release');
		expect(run.stderr).toContain('.github/workflows/publish.yml');
	});

	it('goes ahead in GitHub Actions, and for a dry run anywhere', () => {
		expect(prepublish({ GITHUB_ACTIONS: 'true' }).status).toBe(0);
		expect(prepublish({ npm_config_dry_run: 'true' }).status).toBe(0);
	});

	it('leaves no repository npmrc that would skip the package’s own scripts', () => {
		const npmrc = join(ROOT, '.npmrc');
		const text = existsSync(npmrc) ? readFileSync(npmrc, 'utf8') : '';
		expect(text).not.toMatch(/^\s*ignore-scripts\s*=\s*true/m);
	});
});
