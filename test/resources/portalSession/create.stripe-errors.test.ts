/**
 * When Stripe says no, or cannot be reached: the user sees Stripe's own message, the facts to
 * look it up, and a hint for the frequent cases; with Continue On Fail the other items still go
 * through; and the secret key shows up nowhere.
 */
import { SEED_IDS, stripeError } from '../../sandbox';
import { customerById, runCreateSession, useEnvironment, type SessionRun } from '../../support/session';

const LEAKABLE_KEY = 'sk_test_51LeakCheckSecretKey0000000000000000000000000000000000000000';
const PORTAL_ONLY_KEY = 'rk_test_51PortalOnlyRestrictedKey000000000000000000000000000000000';
const CUSTOMERS_ONLY_KEY = 'rk_test_51CustomersOnlyRestrictedKey0000000000000000000000000000';

const environment = useEnvironment({
	secretKeys: [LEAKABLE_KEY],
	restrictedKeys: { [PORTAL_ONLY_KEY]: ['billing_portal'], [CUSTOMERS_ONLY_KEY]: ['customers_read'] },
});
const customer = customerById(SEED_IDS.jenny);
const asKey = (secretKey: string) => ({ credentials: { secretKey } });

/** Everything a user or an operator could see of a run, as text. */
function everythingVisible(run: SessionRun): string {
	return JSON.stringify({ items: run.items, error: run.error, runData: run.runData, logs: run.logs });
}

describe('Stripe’s errors reach the user', () => {
	it('400: Stripe’s message, with type, code, param, request ID and docs in the description', async () => {
		const run = await runCreateSession(environment, { customer, flowType: 'subscription_cancel', subscription: { __rl: true, mode: 'id', value: SEED_IDS.jennyPro }, afterCompletion: 'redirect', redirectUrl: 'https://example.com/x' }, [{}], asKey(LEAKABLE_KEY));
		// The sandbox's configuration allows cancellations; make Stripe refuse this one.
		expect(run.error).toBeUndefined();

		environment.sandbox.queueFault({
			kind: 'status',
			...stripeError(400, {
				type: 'invalid_request_error',
				code: 'parameter_invalid_empty',
				param: 'flow_data[subscription_cancel][subscription]',
				message: 'This subscription cannot be canceled because it is already canceled.',
				doc_url: 'https://stripe.com/docs/error-codes/parameter-invalid-empty',
			}),
		});
		const refused = await runCreateSession(environment, { customer }, [{}], asKey(LEAKABLE_KEY));
		expect(refused.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '400',
			message: 'This subscription cannot be canceled because it is already canceled.',
		});
		expect(refused.error?.message).not.toMatch(/Bad request - please check your parameters/);
		const requestId = refused.requests[0].requestId;
		expect(requestId).toMatch(/^req_/);
		expect(refused.error?.description).toContain('type: invalid_request_error');
		expect(refused.error?.description).toContain('code: parameter_invalid_empty');
		expect(refused.error?.description).toContain('param: flow_data[subscription_cancel][subscription]');
		expect(refused.error?.description).toContain(`request ID: ${requestId}`);
		expect(refused.error?.description).toContain('https://stripe.com/docs/error-codes/parameter-invalid-empty');
		expect(refused.error?.description).toContain("Check the node's Subscription field.");
	});

	it('400 without a default portal configuration: Stripe’s message and where to save one', async () => {
		environment.sandbox.removeDefaultConfiguration();
		const run = await runCreateSession(environment, { customer, returnUrl: 'https://example.com' }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error?.message).toBe(
			'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.',
		);
		expect(run.error?.description).toContain('Save your customer portal settings once in the Stripe dashboard');
		expect(run.error?.description).toContain('https://dashboard.stripe.com/test/settings/billing/portal');
		expect(run.error?.description).toContain('choose a Configuration under Additional Fields');
	});

	describe('refusals only a deep link meets: Stripe’s words, and what to change', () => {
		const jennyPro = { __rl: true, mode: 'id', value: SEED_IDS.jennyPro };
		const cases = [
			{
				story: 'an update flow on a configuration without plan changes (the default configuration has them off)',
				arrange: () => {
					environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration)!.features.subscription_update.enabled = false;
				},
				parameters: { flowType: 'subscription_update', subscription: jennyPro },
				message: 'This subscription cannot be updated because the subscription update feature in the portal configuration is disabled.',
				fix: ['does not let customers switch plans', 'Customers can switch plans', 'Portal Configuration → Update → Features → Subscription Update', 'choose a Configuration that has it under Additional Fields'],
			},
			{
				story: 'a confirmation that keeps the price and quantity',
				arrange: () => undefined,
				parameters: {
					flowType: 'subscription_update_confirm',
					subscription: jennyPro,
					subscriptionItem: { __rl: true, mode: 'id', value: SEED_IDS.jennyProItem },
					itemChanges: { price: SEED_IDS.proMonthly, quantity: 1 },
				},
				message: 'Cannot update the subscription because there are no changes to confirm.',
				fix: ['Item Changes → New Price or New Quantity must differ from what the subscription item has now'],
			},
			{
				story: 'a cancel flow for a subscription already set to end',
				arrange: () => {
					environment.sandbox.addSubscription({ id: 'sub_EndingAlready01', customer: SEED_IDS.jenny, cancelAtPeriodEnd: true });
				},
				parameters: { flowType: 'subscription_cancel', subscription: { __rl: true, mode: 'id', value: 'sub_EndingAlready01' } },
				message: 'The subscription sub_EndingAlready01 is already set to be canceled at period end.',
				fix: ['already set to end at the close of its current period', 'Create the session without a Flow instead'],
			},
		];

		it.each(cases)('$story', async ({ arrange, parameters, message, fix }) => {
			arrange();
			const run = await runCreateSession(environment, { customer, ...parameters }, [{}], asKey(LEAKABLE_KEY));
			expect(run.error).toMatchObject({ httpCode: '400', message });
			for (const words of fix) expect(run.error?.description).toContain(words);
			expect(run.requests.filter((request) => request.path === '/v1/billing_portal/sessions')).toHaveLength(1);
			expect(environment.sandbox.sessions).toHaveLength(0);
		});
	});

	it('401 for a wrong key: Stripe’s message with the key masked, and which credential field to fix', async () => {
		const wrongKey = 'sk_test_51WrongKeyWrongKeyWrongKey000000000000000000000000000000099';
		const run = await runCreateSession(environment, { customer }, [{}], asKey(wrongKey));
		expect(run.error).toMatchObject({ httpCode: '401', message: expect.stringMatching(/^Invalid API Key provided: sk_test_\*+0099$/) });
		expect(run.error?.description).toContain("Check the Secret Key in the 'Stripe Billing Portal API' credential");
		expect(everythingVisible(run)).not.toContain(wrongKey);
	});

	it('403 for a restricted key without the Customer portal permission: which permission to grant', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], asKey(CUSTOMERS_ONLY_KEY));
		expect(run.error).toMatchObject({ httpCode: '403', message: expect.stringMatching(/does not have the required permissions/) });
		expect(run.error?.description).toContain("grant 'Customer portal: Write'");
		expect(everythingVisible(run)).not.toContain(CUSTOMERS_ONLY_KEY);
	});

	it('works with a restricted key that has only the Customer portal permission', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], asKey(PORTAL_ONLY_KEY));
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
	});

	it('404 for an unknown customer: Stripe’s message and a hint about accounts and modes', async () => {
		const run = await runCreateSession(environment, { customer: customerById('cus_DoesNotExist1') }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error).toMatchObject({ httpCode: '404', message: "No such customer: 'cus_DoesNotExist1'" });
		expect(run.error?.description).toContain('code: resource_missing');
		expect(run.error?.description).toContain('Check the ID in Customer:');
		expect(run.error?.description).toMatch(/test or live/);
	});

	it('400 for a customer deleted in Stripe: Stripe’s message, and no session', async () => {
		const gone = environment.sandbox.addCustomer({ email: 'gone@example.com' });
		environment.sandbox.deleteCustomer(gone.id);
		const run = await runCreateSession(environment, { customer: customerById(gone.id) }, [{}], asKey(LEAKABLE_KEY));
		expect(run.requests.map((request) => request.status)).toEqual([400]);
		expect(run.error).toMatchObject({ httpCode: '400', message: `No such customer: '${gone.id}'` });
		expect(run.error?.description).toContain('code: resource_missing');
		expect(run.error?.description).toContain('Check the ID in Customer:');
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	// With retries off, each fault is the final answer; test/resilience/retries.test.ts covers retries.
	it('429 with no patience for rate limits: Stripe’s message and what to do about rate limits, not n8n’s batching advice', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 429 });
		const run = await runCreateSession(environment, { customer, requestSettings: { maxWaitForRateLimits: 0 } }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error).toMatchObject({ httpCode: '429' });
		expect(run.error?.message).toMatch(/rate|too many/i);
		expect(run.error?.message).not.toMatch(/batching settings/);
		expect(run.error?.message).toMatch(/Max Wait for Rate Limits \(was 0 s\)/);
		expect(run.error?.description).toMatch(/100 requests per second in live mode and 25 in test mode per account/);
	});

	it('500 with retries off: Stripe’s message, the request ID and a retry hint', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 500 });
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error).toMatchObject({ httpCode: '500' });
		expect(run.error?.description).toContain(`request ID: ${run.requests[0].requestId}`);
		expect(run.error?.description).toMatch(/problem on Stripe’s side/);
	});

	it('a 502 HTML page from a proxy, retries off: says the body is not Stripe’s and shows its start', async () => {
		environment.sandbox.queueFault({ kind: 'non-json', status: 502 });
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error).toMatchObject({ httpCode: '502', message: 'Stripe answered HTTP 502 with a body that is not a Stripe error' });
		expect(run.error?.description).toMatch(/The response began with: .*502 Bad Gateway/);
	});

	it('a 200 that is not JSON (a wrong Base URL): points at the Base URL', async () => {
		environment.sandbox.queueFault({ kind: 'non-json', status: 200, body: '<html>Welcome to nginx!</html>' });
		const run = await runCreateSession(environment, { customer }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error?.message).toMatch(/^Expected a JSON object from Stripe but got text\. Check the Base URL/);
	});

	it('a refused connection: names the Base URL and what to check', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { secretKey: LEAKABLE_KEY, baseUrl: 'http://127.0.0.1:1' } });
		expect(run.error?.message).toBe('Could not reach Stripe at http://127.0.0.1:1: The connection was refused');
		expect(run.error?.description).toMatch(/Check the Base URL/);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});

	it('a dropped connection, retries off: says the connection closed before Stripe answered', async () => {
		environment.sandbox.queueFault({ kind: 'drop' });
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], asKey(LEAKABLE_KEY));
		expect(run.error?.message).toBe(`Could not reach Stripe at ${environment.sandbox.baseUrl}: The connection was closed before Stripe answered`);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});
});

describe('Continue On Fail', () => {
	it('turns a failing item into an error item and still creates the others, in order and paired', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: customerById('={{ $json.customer }}') },
			[{ customer: SEED_IDS.jenny }, { customer: 'cus_Unknown0001' }, { customer: SEED_IDS.max }],
			{ continueOnFail: true, credentials: { secretKey: LEAKABLE_KEY } },
		);
		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(3);
		expect(run.items.map((item) => item.json.customer ?? item.json.error)).toEqual([
			SEED_IDS.jenny,
			"No such customer: 'cus_Unknown0001'",
			SEED_IDS.max,
		]);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('keeps going past a refused connection too', async () => {
		const run = await runCreateSession(environment, { customer }, [{}, {}], {
			continueOnFail: true,
			credentials: { secretKey: LEAKABLE_KEY, baseUrl: 'http://127.0.0.1:1' },
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.error)).toEqual([
			'Could not reach Stripe at http://127.0.0.1:1: The connection was refused',
			'Could not reach Stripe at http://127.0.0.1:1: The connection was refused',
		]);
	});
});

describe('the secret key', () => {
	it('appears in no output, error or log line, whatever happens', async () => {
		const runs: SessionRun[] = [];
		runs.push(await runCreateSession(environment, { customer }, [{}], asKey(LEAKABLE_KEY)));
		environment.sandbox.queueFault({ kind: 'status', status: 500 });
		runs.push(await runCreateSession(environment, { customer }, [{}], asKey(LEAKABLE_KEY)));
		runs.push(await runCreateSession(environment, { customer: customerById('cus_Nope0001') }, [{}], asKey(LEAKABLE_KEY)));
		runs.push(await runCreateSession(environment, { customer: customerById('={{ "bad" }}') }, [{}], asKey(LEAKABLE_KEY)));
		runs.push(await runCreateSession(environment, { customer: customerById('cus_Nope0001') }, [{}, {}], { continueOnFail: true, ...asKey(LEAKABLE_KEY) }));
		// Every run but the malformed ID's (refused before any request) reached Stripe with the key.
		expect(runs.map((run) => run.requests.length > 0)).toEqual([true, true, true, false, true]);
		for (const run of runs) {
			for (const request of run.requests) expect(request.headers.authorization).toBe(`Bearer ${LEAKABLE_KEY}`);
			const visible = everythingVisible(run);
			expect(visible).not.toContain(LEAKABLE_KEY);
			expect(visible).not.toContain(LEAKABLE_KEY.slice(8, 40));
		}
		expect(runs[0].logs.length + runs[1].logs.length).toBeGreaterThan(0);
	});

	// A Base URL that is not Stripe (a debugging proxy, an echo service, a misconfigured gateway)
	// may quote the request's own headers back; Stripe never does.
	it('is taken out of a server’s answer that quotes the request back, whatever shape it has', async () => {
		const echoed = `authorization: Bearer ${LEAKABLE_KEY}`;
		const runs: SessionRun[] = [];
		environment.sandbox.queueFault({ kind: 'non-json', status: 400, body: `<html><body><pre>Bad request\n${echoed}\nkey=${LEAKABLE_KEY}</pre></body></html>` });
		runs.push(await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], asKey(LEAKABLE_KEY)));
		environment.sandbox.queueFault({
			kind: 'status',
			status: 400,
			body: { error: { type: 'invalid_request_error', message: `Rejected ${echoed}`, param: LEAKABLE_KEY, headers: { authorization: `Bearer ${LEAKABLE_KEY}` } } },
		});
		runs.push(await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], { continueOnFail: true, ...asKey(LEAKABLE_KEY) }));
		environment.sandbox.queueFault({ kind: 'redirect', location: `https://proxy.example.com/login?key=${LEAKABLE_KEY}` });
		runs.push(await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], asKey(LEAKABLE_KEY)));

		expect(runs.map((run) => run.requests.length)).toEqual([1, 1, 1]);
		expect(runs[0].error?.description).toContain('The response began with: <html><body><pre>Bad request authorization: Bearer [redacted] key=sk_test_[redacted]');
		expect(runs[1].items[0]?.json.error).toBeDefined();
		expect(runs[1].error).toBeUndefined();
		expect(JSON.stringify(runs[1].items)).toContain('Rejected authorization: Bearer [redacted]');
		// Only the fields of Stripe's error object the node reads are kept: not the echoed headers.
		expect(JSON.stringify(runs[1].items)).not.toContain('headers');
		expect(runs[2].error?.message).toContain('proxy.example.com/login?key=sk_test_[redacted]');
		for (const run of runs) {
			const visible = everythingVisible(run);
			expect(visible).not.toContain(LEAKABLE_KEY);
			expect(visible).not.toContain(LEAKABLE_KEY.slice(8, 40));
		}
	});
});
