/**
 * `npm run demo`: the example workflows run through n8n's engine (n8n-core) against the Stripe
 * sandbox on 127.0.0.1, printing what each one produced (portal sessions, or the email with the
 * login page link). No Stripe account needed. Exits non-zero if any step fails. The AI agent
 * example needs a chat model, so it runs only in the test suite, with a scripted one.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { loadPackage, runWorkflow } from '../harness';
import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox } from '../sandbox';
import { DEMO_LOGIN_PAGE_URL } from '../cli/setup';
import { printStripeRequests } from './print';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = ['support-ticket-cancel-link.json', 'onboarding-login-link.json'];

async function main(): Promise<number> {
	const sandbox = new StripeSandbox();
	const baseUrl = await sandbox.start();
	// As on an account whose portal settings turned the login page on.
	const configuration = sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
	if (configuration) configuration.login_page = { enabled: true, url: DEMO_LOGIN_PAGE_URL };
	console.log(`Stripe sandbox listening on ${baseUrl}`);
	let failures = 0;
	try {
		const pkg = await loadPackage(ROOT);
		console.log(`Loaded ${pkg.packageName} through n8n-core: nodes ${Object.keys(pkg.loader.nodeTypes).join(', ')}`);
		for (const file of EXAMPLES) {
			const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
			const seen = sandbox.requests.length;
			console.log(`\n▶ ${workflow.name} (examples/${file})`);
			const run = await runWorkflow({
				pkg,
				workflow,
				credentials: {
					stripeBillingPortalApi: { secretKey: DEFAULT_SECRET_KEY, baseUrl, apiVersion: DEFAULT_API_VERSION },
				},
			});
			if (run.error) {
				failures++;
				console.error(`  ✗ ${run.error.message}${run.error.description ? `\n    ${run.error.description}` : ''}`);
				continue;
			}
			for (const item of run.lastNodeItems) {
				if (item.json.object === 'billing_portal.session') {
					console.log(`  ✓ portal session ${item.json.id}: ${item.json.url}`);
					console.log(JSON.stringify(item.json, null, 2).replace(/^/gm, '    '));
				} else {
					console.log(`  ✓ email to ${item.json.toEmail}: ${item.json.subject}`);
					console.log(String(item.json.text).replace(/^/gm, '    | '));
				}
			}
			printStripeRequests(sandbox.requests.slice(seen));
		}
	} finally {
		await sandbox.stop();
	}
	return failures === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
