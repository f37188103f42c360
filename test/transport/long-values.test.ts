/**
 * Values of any length, as an expression can hand them over, must not stall the process: every
 * pattern run on them is linear, and no message grows with them. These are single stages with a
 * stub context; test/input-values/long-values.test.ts runs the same values through n8n's engine.
 *
 * Time bounds are generous (a loaded 2-core machine passes them easily); what they separate is
 * milliseconds from the tens of seconds a quadratic pattern takes on 200,000 characters.
 */
import { NodeOperationError } from 'n8n-workflow';

import { buildConfigurationCreateBody } from '../../nodes/StripeBillingPortal/resources/portalConfiguration/body';
import { forAgents } from '../../nodes/StripeBillingPortal/transport/agent';
import { withFix } from '../../nodes/StripeBillingPortal/shared/validation';
import { STUB_NODE, stubContext } from '../support/stub-context';

const LONG = 200_000;

const toolContext = { getNode: () => ({ ...STUB_NODE, type: `${STUB_NODE.type}Tool` }) };

function timed<T>(work: () => T): { value: T; ms: number } {
	const started = performance.now();
	const value = work();
	return { value, ms: performance.now() - started };
}

describe('the fix an agent reads at the end of a message', () => {
	it.each([
		['spaces', ' '],
		['dots and spaces', '. '],
		['line breaks', '\n'],
	])('is added in linear time after a message holding 200,000 characters of %s', (_story, filler) => {
		const middle = filler.repeat(Math.ceil(LONG / filler.length));
		const message = `Locale: 'x${middle}y' is not a portal locale`;
		const error = withFix(new NodeOperationError(STUB_NODE, message), { user: 'Use auto or one of the portal locales.' });
		const { value, ms } = timed(() => forAgents(toolContext, error));
		expect(value.message).toBe(`${message}. Use auto or one of the portal locales.`);
		expect(ms).toBeLessThan(1_000);
	});

	it('still replaces the dots and spaces a message ends in', () => {
		const error = withFix(new NodeOperationError(STUB_NODE, `Flow: is empty. .  ${'. '.repeat(LONG / 2)}`), { user: 'Choose a flow.' });
		const { value, ms } = timed(() => forAgents(toolContext, error));
		expect(value.message).toBe('Flow: is empty. Choose a flow.');
		expect(ms).toBeLessThan(1_000);
	});
});

describe('the JSON key spelling suggestion', () => {
	async function create(configurationJson: string) {
		const context = stubContext({ parameters: { inputMode: 'json', configurationJson } });
		const started = performance.now();
		try {
			await buildConfigurationCreateBody.call(context as never, { url: '/v1/billing_portal/configurations', method: 'POST' });
		} catch (error) {
			return { error: error as NodeOperationError, ms: performance.now() - started };
		}
		throw new Error('the body was built');
	}

	it('is skipped for a key far longer than any Stripe parameter (no edit distance on 10 million characters)', async () => {
		// 'featuresss…': close to 'features' in spirit, but an edit distance over it would cost
		// 10 million × each candidate's length, seconds of blocked event loop.
		const { error, ms } = await create(`{ "features${'s'.repeat(10_000_000)}": {} }`);
		expect(error.message).toMatch(/^Configuration \(JSON\): 'featuresss/);
		expect(error.message.length).toBeLessThan(200);
		expect(error.description).not.toMatch(/Did you mean/);
		expect(error.description).toMatch(/^Allowed here: /);
		expect(ms).toBeLessThan(2_000);
	});

	it('is still made for a typo', async () => {
		const { error } = await create('{ "featurse": { "invoice_history": { "enabled": true } } }');
		expect(error.description).toMatch(/^Did you mean 'features'\?/);
	});
});
