/**
 * `npm run dev`: the demo's set-up, then the n8n editor on http://localhost:5678 with this node,
 * the sandbox credential and the examples ready to run. TypeScript is rebuilt on change and the
 * new dist/ is copied into the installed package, which n8n's hot reload (N8N_DEV_RELOAD) picks up.
 *
 * The user folder, .cache/dev/n8n-user, is kept across runs so the owner account and your own
 * workflows stay; examples are imported on the first run only (`--reset` starts over).
 * STRIPE_TEST_SECRET_KEY=sk_test_… adds a credential for your own Stripe test account.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../cli/install';
import { PACKAGE_NAME } from '../cli/instance';
import { REAL_KEY_CREDENTIAL, setUpDemo } from '../cli/setup';

async function main(): Promise<void> {
	const reset = process.argv.includes('--reset');
	const port = Number(process.env.N8N_PORT ?? 5678);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? 12111);
	const stripeTestKey = process.env.STRIPE_TEST_SECRET_KEY?.trim() || undefined;
	if (stripeTestKey && !/^(sk|rk)_test_/.test(stripeTestKey)) {
		throw new Error('STRIPE_TEST_SECRET_KEY must be a test-mode key (sk_test_… or rk_test_…); npm run dev never uses a live key.');
	}
	const userFolder = join(ROOT, '.cache', 'dev', 'n8n-user');
	const firstRun = reset || !existsSync(join(userFolder, '.examples-imported'));

	const setUp = await setUpDemo({
		userFolder,
		keep: !reset,
		sandboxPort,
		stripeTestKey,
		importWorkflows: firstRun,
		log: (line) => console.log(line),
	});
	writeFileSync(join(userFolder, '.examples-imported'), `${new Date().toISOString()}\n`);
	const packageFolder = join(setUp.instance.nodesFolder, PACKAGE_NAME);
	const server = await setUp.instance.start(port, 180_000, { N8N_DEV_RELOAD: 'true' });

	// tsc --watch rebuilds dist/; after each clean compile the icons are copied and dist/ goes into
	// the installed package, where n8n's watcher reloads it and tells the open editor.
	const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let firstCompile = true;
	tsc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		for (const line of chunk.split('\n').filter((text) => text.trim())) {
			if (!/Found 0 errors/.test(line)) {
				if (/error|Found \d+ error/.test(line)) console.log(`[tsc] ${line}`);
				continue;
			}
			if (firstCompile) {
				firstCompile = false;
				continue;
			}
			spawnSync(process.execPath, [join(ROOT, 'node_modules', 'gulp', 'bin', 'gulp.js'), 'build:icons'], { cwd: ROOT, stdio: 'ignore' });
			cpSync(join(ROOT, 'dist'), join(packageFolder, 'dist'), { recursive: true, force: true });
			console.log(`[dev] rebuilt; n8n reloads ${PACKAGE_NAME} (refresh the node panel if it is open)`);
		}
	});

	console.log(`
n8n ${setUp.instance.install.version} editor: ${server.url}
  First visit: set up the owner account (any email and password; kept in .cache/dev/).
  Credentials: "Stripe (sandbox)" → ${setUp.sandbox.baseUrl} (key sk_test_sandbox)${
		stripeTestKey ? `\n               "${REAL_KEY_CREDENTIAL.name}" → https://api.stripe.com (your STRIPE_TEST_SECRET_KEY)` : ''
	}
  Workflows:   ${setUp.examples.map((example) => `${server.url}/workflow/${example.workflow.id}`).join('\n               ')}
  Emails the workflows send are caught on 127.0.0.1 and printed here.
  Editing nodes/ or credentials/ rebuilds and reloads. Ctrl-C stops everything.
`);
	let mailSeen = 0;
	const mailTimer = setInterval(() => {
		for (const message of setUp.mail.messages.slice(mailSeen)) {
			console.log(`[mail] to ${message.to.join(', ')}: ${message.subject}\n${message.text.replace(/^/gm, '  | ')}`);
		}
		mailSeen = setUp.mail.messages.length;
	}, 500);

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		clearInterval(mailTimer);
		tsc.kill();
		await server.stop();
		await setUp.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
