// `npm pack` and `npm publish` run this first (the `prepack` script). dist/ is not in git, so a
// fresh clone has nothing to ship until it is built: this builds it, then checks that every file
// the `n8n` manifest names and every icon and codex file beside the sources are in dist/. Without
// the dev dependencies it refuses and says what to run. Everything goes to stderr, so
// `npm pack --json` keeps a clean stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`${line}\n`);
const refuse = (lines) => {
	say(['', 'npm pack / npm publish refused:', ...lines.map((line) => `  ${line}`), ''].join('\n'));
	process.exit(1);
};

const missingTools = ['typescript', 'gulp'].filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (missingTools.length > 0) {
	refuse([
		`the package is built before it is packed (dist/ is not in git), and the build needs the dev`,
		`dependencies, which are not installed (${missingTools.join(', ')} missing). Run:`,
		'',
		'    npm ci --ignore-scripts',
		'',
		'(with Node.js 24 from .tools/: bash scripts/node24.sh npm ci --ignore-scripts), then pack again.',
	]);
}

say('prepack: npm run build');
const npm = process.env.npm_execpath
	? { command: process.execPath, args: [process.env.npm_execpath] }
	: { command: 'npm', args: [] };
const build = spawnSync(npm.command, [...npm.args, 'run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
if (build.status !== 0) {
	refuse([`npm run build failed (exit ${build.status ?? build.signal}); fix the errors above, then pack again.`]);
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const expected = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
if (expected.length === 0) refuse(['package.json has no n8n.nodes or n8n.credentials: n8n would load nothing.']);
// tsc emits the .js; icons and codex files must sit beside them, where n8n looks for them.
const assets = (folder) =>
	readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile() && /\.(svg|png|json)$/.test(entry.name))
		.map((entry) => join('dist', relative(root, join(entry.parentPath, entry.name))));
expected.push(...assets('nodes'), ...assets('credentials'));
const missing = expected.filter((file) => !existsSync(join(root, file)));
if (missing.length > 0) {
	refuse(['the build did not produce every file the package needs:', ...missing.map((file) => `- ${file}`)]);
}
say(`prepack: dist/ built; the ${expected.length} files the n8n manifest, icons and codex need are there`);
