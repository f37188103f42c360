/**
 * Every workflow in examples/ runs through n8n's engine against the sandbox, and each has a
 * story of what it must produce, so an example cannot drift from what the node accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { runWorkflow, type RunWorkflowResult } from '../harness';
import { SEED_IDS } from '../sandbox';
import { API_VERSION, PACKAGE_DIR, SECRET_KEY, useEnvironment, type TestEnvironment } from '../support/session';

const environment = useEnvironment();
const examples = readdirSync(join(PACKAGE_DIR, 'examples')).filter((file) => file.endsWith('.json'));

const LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';

/** What each example must do; a new example without an entry fails the first test. */
const stories: Record<string, { story: string; check?: (run: RunWorkflowResult, env: TestEnvironment) => void; coveredBy?: string }> = {
	'onboarding-login-link.json': {
		story: 'emails the new subscriber the default configuration’s lasting login link with their email filled in',
		check(run, env) {
			const [listing] = env.sandbox.requestsTo('/v1/billing_portal/configurations', 'GET');
			expect(listing.query).toEqual({ is_default: 'true', limit: '1' });
			expect(env.sandbox.requestsTo('/v1/customers', 'GET')).toHaveLength(0);
			expect(run.lastNodeItems).toHaveLength(1);
			const email = run.lastNodeItems[0].json as IDataObject;
			expect(email).toMatchObject({ toEmail: 'jenny.rosen@example.com', emailFormat: 'text' });
			expect(email.text).toContain(`${LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
			expect(email.text).toMatch(/^Hi Jenny,/);
			expect(env.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST')).toHaveLength(0);
		},
	},
	'dunning-login-link.json': {
		story: 'emails the customer whose payment failed a lasting login link, their email read from Stripe and filled in',
		check(run, env) {
			const [customer] = env.sandbox.requestsTo(`/v1/customers/${SEED_IDS.jenny}`, 'GET');
			expect(customer).toBeDefined();
			const [listing] = env.sandbox.requestsTo('/v1/billing_portal/configurations', 'GET');
			expect(listing.query).toEqual({ is_default: 'true', limit: '1' });
			const email = run.lastNodeItems[0].json as IDataObject;
			expect(email).toMatchObject({ toEmail: 'jenny.rosen@example.com', subject: 'Your payment did not go through' });
			expect(email.text).toContain(`${LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
			expect(email.text).toContain('29.00 USD');
			expect(env.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST')).toHaveLength(0);
		},
	},
	'support-ticket-cancel-link.json': {
		story: 'finds the customer by the ticket’s email and replies with a cancel-flow deep link',
		check(run, env) {
			const [lookup] = env.sandbox.requestsTo('/v1/customers', 'GET');
			expect(lookup.query).toMatchObject({ email: 'jenny.rosen@example.com' });
			const sessions = env.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST');
			expect(sessions).toHaveLength(1);
			expect(sessions[0].body).toMatchObject({
				customer: SEED_IDS.jenny,
				flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: SEED_IDS.jennyPro } },
			});
			expect(run.lastNodeItems).toHaveLength(1);
			expect(run.lastNodeItems[0].json).toMatchObject({
				object: 'billing_portal.session',
				url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\//),
			});
		},
	},
	'ai-agent-email-session-link.json': {
		story: 'an AI agent has a sub-workflow e-mail a portal session link to the address on file, and tells the chat only that',
		coveredBy: 'ai-agent.test.ts',
	},
	'ai-agent-portal-link.json': {
		story: 'an AI agent gives the chat the portal login link, the address filled in, through the node as a tool',
		coveredBy: 'ai-agent.test.ts',
	},
	'trigger-support-cancellation-feedback.json': {
		story: 'a portal cancellation with feedback sends the success team a note',
		coveredBy: 'trigger.test.ts',
	},
	'trigger-win-back-login-link.json': {
		story: 'a scheduled cancellation emails the customer a lasting link to take it back',
		coveredBy: 'trigger.test.ts',
	},
	'trigger-dedupe-across-processes.json': {
		story: 'n8n’s Remove Duplicates hands each Stripe event on once across processes',
		coveredBy: 'trigger.test.ts',
	},
};

describe('example workflows', () => {
	it('each have a story in this test', () => {
		expect(examples.length).toBeGreaterThan(0);
		expect(examples.filter((file) => !(file in stories))).toEqual([]);
	});

	it.each(examples.filter((file) => stories[file]?.coveredBy))('%s is run by its own test file', (file) => {
		expect(readdirSync(__dirname)).toContain(stories[file].coveredBy);
	});

	it.each(examples.filter((file) => stories[file]?.check).map((file) => [file, stories[file].story]))(
		'%s %s',
		async (file) => {
			const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
			if (configuration) configuration.login_page = { enabled: true, url: LOGIN_PAGE_URL };
			const workflow = JSON.parse(readFileSync(join(PACKAGE_DIR, 'examples', file), 'utf8'));
			const run = await runWorkflow({
				pkg: environment.pkg,
				workflow,
				credentials: {
					stripeBillingPortalApi: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION },
				},
			});
			expect(run.error).toBeUndefined();
			stories[file].check?.(run, environment);
		},
	);
});
