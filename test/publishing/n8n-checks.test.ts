/**
 * n8n's own checks of a community package, run on this repository:
 * - the scanner n8n runs before it lists or verifies a package (@n8n/scan-community-package,
 *   pinned), through its exported analyzePackage on the source it lints (package.json, nodes/,
 *   credentials/), and on a copy with planted violations, which it must fail;
 * - `n8n-node cloud-support` (@n8n/node-cli, pinned): eligible for n8n Cloud verification, which
 *   needs `n8n.strict` and n8n's default ESLint config unchanged.
 * The packed tarball's scan is in pack.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, scan, tempFolder } from '../support/publishing';

jest.setTimeout(120_000);

const scratch = tempFolder('n8n-checks');
afterAll(() => scratch.remove());

describe('n8n’s community-package scanner on the source', () => {
	it('passes on package.json, nodes/ and credentials/, and fails on a copy with planted violations', () => {
		const planted = join(scratch.dir, 'planted');
		for (const entry of ['package.json', 'nodes', 'credentials']) cpSync(join(ROOT, entry), join(planted, entry), { recursive: true });
		const packageJson = JSON.parse(readFileSync(join(planted, 'package.json'), 'utf8'));
		packageJson.scripts = { ...packageJson.scripts, preinstall: 'node setup.js' };
		writeFileSync(join(planted, 'package.json'), JSON.stringify(packageJson, null, 2));
		const nodeFile = join(planted, 'nodes/StripeBillingPortal/StripeBillingPortal.node.ts');
		writeFileSync(nodeFile, `${readFileSync(nodeFile, 'utf8')}\nconsole.log('planted');\n`);

		const [source, dirty] = scan(
			[
				{ dir: ROOT, patterns: 'source' },
				{ dir: planted, patterns: 'source' },
			],
			scratch.dir,
		);
		expect(source).toEqual({ passed: true, message: null, details: null });
		expect(dirty.passed).toBe(false);
		expect(dirty.details).toContain('@n8n/community-nodes/no-forbidden-lifecycle-scripts');
		expect(dirty.details).toContain('no-console');
	});
});

describe('n8n Cloud eligibility', () => {
	const defaultConfig = readFileSync(join(ROOT, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs'), 'utf8');
	const normalized = (text: string) => text.replace(/\s+/g, ' ').trim();

	it('n8n-node cloud-support: strict mode, the default ESLint config, eligible', () => {
		const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@n8n/node-cli/bin/n8n-node.mjs'), 'cloud-support'], {
			cwd: ROOT,
			env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
			encoding: 'utf8',
			timeout: 60_000,
		});
		const output = run.stdout + run.stderr;
		expect(run.status).toBe(0);
		expect(output).toContain('Strict mode: enabled');
		expect(output).toContain('ESLint config: using default config');
		expect(output).toContain('eligible for n8n Cloud verification');
		expect(output).not.toContain('NOT eligible');
	});

	it('eslint.config.mjs is the one n8n-node lint’s strict mode compares with', () => {
		expect(normalized(readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8'))).toBe(normalized(defaultConfig));
		expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).n8n.strict).toBe(true);
	});

	it('npm run lint gives test/ and bench/ their own config by looking configs up from each file', () => {
		const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
		expect(scripts.lint).toMatch(/^eslint --flag unstable_config_lookup_from_file /);
		expect(readFileSync(join(ROOT, 'bench/eslint.config.mjs'), 'utf8')).toContain("from '../test/eslint.config.mjs'");
	});
});
