/**
 * The GitHub Actions workflows: both valid against GitHub's workflow schema (checked offline by
 * @action-validator/cli, which is shown to refuse a broken copy), and the publish job holding
 * what n8n's provenance requirement and a complete package need: a version-tag trigger, the
 * id-token permission, Node 24 with the npm registry, npm recent enough for trusted publishing,
 * lint, test and build before `npm publish --provenance --access public`. The release command
 * makes the tags the workflow listens to.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { ROOT, tempFolder } from '../support/publishing';

jest.setTimeout(60_000);

const WORKFLOWS = join(ROOT, '.github/workflows');
const scratch = tempFolder('workflows');
afterAll(() => scratch.remove());

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, string>;
	env?: Record<string, string>;
}
interface Job {
	permissions?: Record<string, string>;
	steps: Step[];
	needs?: string;
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const load = (file: string) => parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;
const validate = (file: string) =>
	spawnSync(process.execPath, [join(ROOT, 'node_modules/@action-validator/cli/cli.mjs'), file], { encoding: 'utf8', timeout: 30_000 });
/** Index of the first step whose command runs `command` (a whole command, not a prefix of another). */
const stepIndex = (steps: Step[], command: RegExp) => steps.findIndex((step) => step.run !== undefined && command.test(step.run));

describe('the workflows against GitHub’s schema (@action-validator/cli)', () => {
	it.each(['ci.yml', 'publish.yml'])('%s is valid', (file) => {
		const run = validate(join(WORKFLOWS, file));
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
	});

	it('refuses a workflow that breaks the schema', () => {
		const broken = join(scratch.dir, 'broken.yml');
		writeFileSync(broken, readFileSync(join(WORKFLOWS, 'publish.yml'), 'utf8').replace('id-token: write', 'id-token: sign'));
		const run = validate(broken);
		expect(run.status).not.toBe(0);
		expect(run.stderr).toContain('/jobs/publish/permissions');
	});
});

describe('publish.yml', () => {
	const workflow = load('publish.yml');
	const jobs = Object.values(workflow.jobs);
	const job = jobs[0];

	it('runs on a version tag only', () => {
		expect(Object.keys(workflow.on)).toEqual(['push']);
		expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] });
	});

	it('has one job, allowed to mint the OIDC token for provenance and only to read the repository', () => {
		expect(jobs).toHaveLength(1);
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		expect(workflow.permissions).toEqual({ contents: 'read' });
	});

	it('sets up Node 24 with the npm registry, and npm 11.5.1 or newer', () => {
		const setup = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(setup?.with?.['node-version']).toBe('24');
		expect(setup?.with?.['registry-url']).toBe('https://registry.npmjs.org');
		const npmStep = job.steps.find((step) => step.run?.includes('npm --version'));
		expect(npmStep?.run).toContain('b === 5 && c >= 1');
		expect(npmStep?.run).toContain('npm install -g npm@11');
	});

	it('checks the tag against package.json, installs, lints, tests and builds before it publishes with provenance', () => {
		const order = [
			stepIndex(job.steps, /GITHUB_REF_NAME/),
			stepIndex(job.steps, /^npm ci --ignore-scripts\b/),
			stepIndex(job.steps, /^npm run lint$/),
			stepIndex(job.steps, /^npm test$/),
			stepIndex(job.steps, /^npm run build$/),
			stepIndex(job.steps, /^npm publish\b/),
		];
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		const publish = job.steps[order[order.length - 1]];
		expect(publish.run).toBe('npm publish --provenance --access public');
		expect(publish.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		expect(job.steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'))).toBe(0);
	});

	it('listens to the tags the release command makes', () => {
		const release = JSON.parse(readFileSync(join(ROOT, '.release-it.json'), 'utf8'));
		const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		expect(packageJson.scripts.release).toBe('release-it');
		expect(release.git.tagName).toBe('v${version}');
		expect(release.npm.publish).toBe(false);
		expect(release.plugins['@release-it/keep-a-changelog'].filename).toBe('CHANGELOG.md');
	});
});

describe('ci.yml', () => {
	const workflow = load('ci.yml');

	it('runs on every push and pull request, reading the repository only', () => {
		expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
		expect(workflow.permissions).toEqual({ contents: 'read' });
	});

	it('installs, lints, builds and tests on Node 24, then runs the end-to-end tests', () => {
		const { test, e2e } = workflow.jobs;
		for (const job of [test, e2e]) {
			expect(job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe('24');
			expect(stepIndex(job.steps, /^npm ci --ignore-scripts\b/)).toBeGreaterThan(0);
		}
		const order = [/^npm run lint$/, /^npm run build$/, /^npm test$/].map((command) => stepIndex(test.steps, command));
		expect(order.every((index) => index > 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(e2e.needs).toBe('test');
		expect(stepIndex(e2e.steps, /^npm run test:e2e$/)).toBeGreaterThan(0);
	});
});

describe('CHANGELOG.md', () => {
	const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');

	it('keeps an Unreleased section for the release command to date, and the released versions below it', () => {
		const headings = [...changelog.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$/gm)].map((match) => match[1]);
		expect(headings[0]).toBe('Unreleased');
		for (const version of headings.slice(1)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
		const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
		expect(headings).toContain(version);
	});
});
