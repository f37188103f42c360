/**
 * Every workflow in examples/ runs through n8n's engine against the sandbox, so an example
 * cannot drift from what the node accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runWorkflow } from './harness';
import { API_VERSION, PACKAGE_DIR, SECRET_KEY, useEnvironment } from './support/session';

const environment = useEnvironment();
// An agent example needs a scripted chat and ends with the agent's reply, not with sessions:
// examples.ai-agent.test.ts runs it.
const isAgentExample = (file: string) => file.startsWith('ai-agent-');
const examples = readdirSync(join(PACKAGE_DIR, 'examples')).filter((file) => file.endsWith('.json') && !isAgentExample(file));

describe('example workflows', () => {
	it('exist', () => {
		expect(examples.length).toBeGreaterThan(0);
	});

	it.each(examples)('%s runs and ends with portal session links', async (file) => {
		const workflow = JSON.parse(readFileSync(join(PACKAGE_DIR, 'examples', file), 'utf8'));
		const run = await runWorkflow({
			pkg: environment.pkg,
			workflow,
			credentials: {
				stripeBillingPortalApi: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION },
			},
		});
		expect(run.error).toBeUndefined();
		expect(run.lastNodeItems.length).toBeGreaterThan(0);
		for (const item of run.lastNodeItems) {
			expect(item.json).toMatchObject({ object: 'billing_portal.session', url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\//) });
		}
		expect(environment.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST').length).toBe(run.lastNodeItems.length);
	});
});
