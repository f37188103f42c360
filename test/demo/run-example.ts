/**
 * `npm run demo`: the example workflow run through n8n's engine (n8n-core) against the Stripe
 * sandbox on 127.0.0.1, printing each portal session the node returned. No Stripe account
 * needed. Exits non-zero if any step fails.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { loadPackage, runWorkflow } from '../harness';
import { DEFAULT_SECRET_KEY, StripeSandbox } from '../sandbox';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = ['support-ticket-cancel-link.json'];

async function main(): Promise<number> {
	const sandbox = new StripeSandbox();
	const baseUrl = await sandbox.start();
	console.log(`Stripe sandbox listening on ${baseUrl}`);
	let failures = 0;
	try {
		const pkg = await loadPackage(ROOT);
		console.log(`Loaded ${pkg.packageName} through n8n-core: nodes ${Object.keys(pkg.loader.nodeTypes).join(', ')}`);
		for (const file of EXAMPLES) {
			const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
			console.log(`\n▶ ${workflow.name} (examples/${file})`);
			const run = await runWorkflow({
				pkg,
				workflow,
				credentials: {
					stripeBillingPortalApi: { secretKey: DEFAULT_SECRET_KEY, baseUrl, apiVersion: '2026-10-28.endive' },
				},
			});
			if (run.error) {
				failures++;
				console.error(`  ✗ ${run.error.message}${run.error.description ? `\n    ${run.error.description}` : ''}`);
				continue;
			}
			for (const item of run.lastNodeItems) {
				console.log(`  ✓ portal session ${item.json.id}: ${item.json.url}`);
				console.log(JSON.stringify(item.json, null, 2).replace(/^/gm, '    '));
			}
			const sent = sandbox.requests.filter((request) => request.path === '/v1/billing_portal/sessions');
			console.log(`  Stripe received: POST /v1/billing_portal/sessions\n    ${sent.map((request) => request.rawBody).join('\n    ')}`);
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
