/**
 * Portal Configuration → Get Many: one item per configuration, across as many of Stripe's
 * pages as the user asked for, each page no larger than what is still missing.
 */
import { SEED_IDS } from '../../sandbox';
import { CONFIGURATIONS_PATH, addConfigurations, runConfiguration } from '../../support/configuration';
import { jsonOf, useEnvironment } from '../../support/session';

const environment = useEnvironment();

const listQueries = (run: { requests: Array<{ method: string; path: string; query: Record<string, unknown> }> }) =>
	run.requests.filter((request) => request.method === 'GET' && request.path === CONFIGURATIONS_PATH).map((request) => request.query);

describe('Portal Configuration → Get Many', () => {
	it('returns one item per configuration, newest first, with one request when Limit fits a page', async () => {
		const ids = addConfigurations(environment, 3);
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 2 });

		expect(run.error).toBeUndefined();
		expect(listQueries(run)).toEqual([{ limit: '2' }]);
		expect(jsonOf(run.items).map((configuration) => configuration.id)).toEqual([ids[2], ids[1]]);
		expect(run.items[0].json).toMatchObject({ object: 'billing_portal.configuration', name: 'Configuration 3' });
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	});

	it('with Return All, walks every page with starting_after the last ID while has_more', async () => {
		const ids = addConfigurations(environment, 230);
		const run = await runConfiguration(environment, 'getAll', { returnAll: true });

		expect(run.error).toBeUndefined();
		const all = [...ids].reverse().concat(SEED_IDS.defaultConfiguration);
		expect(jsonOf(run.items).map((configuration) => configuration.id)).toEqual(all);
		expect(listQueries(run)).toEqual([
			{ limit: '100' },
			{ limit: '100', starting_after: all[99] },
			{ limit: '100', starting_after: all[199] },
		]);
	});

	it('with a Limit above one page, asks the last page only for what is still missing', async () => {
		const ids = addConfigurations(environment, 200);
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 150 });

		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(150);
		const newest = [...ids].reverse();
		expect(jsonOf(run.items).map((configuration) => configuration.id)).toEqual(newest.slice(0, 150));
		expect(listQueries(run)).toEqual([{ limit: '100' }, { limit: '50', starting_after: newest[99] }]);
	});

	it('stops when Stripe has no more, even below the Limit', async () => {
		addConfigurations(environment, 4);
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 500 });

		expect(run.items).toHaveLength(5);
		expect(listQueries(run)).toEqual([{ limit: '100' }]);
	});

	it('sends the Active and Is Default filters and returns only matching configurations', async () => {
		const [inactive] = addConfigurations(environment, 2, { active: false });
		const active = addConfigurations(environment, 2);

		const onlyInactive = await runConfiguration(environment, 'getAll', { returnAll: true, filters: { active: false } });
		expect(listQueries(onlyInactive)).toEqual([{ limit: '100', active: 'false' }]);
		expect(jsonOf(onlyInactive.items).map((configuration) => configuration.id)).toContain(inactive);
		expect(jsonOf(onlyInactive.items).every((configuration) => configuration.active === false)).toBe(true);

		const defaultOnly = await runConfiguration(environment, 'getAll', { returnAll: true, filters: { isDefault: true, active: true } });
		expect(listQueries(defaultOnly)).toEqual([{ limit: '100', active: 'true', is_default: 'true' }]);
		expect(jsonOf(defaultOnly.items).map((configuration) => configuration.id)).toEqual([SEED_IDS.defaultConfiguration]);

		const others = await runConfiguration(environment, 'getAll', { returnAll: true, filters: { isDefault: false, active: true } });
		expect(jsonOf(others.items).map((configuration) => configuration.id)).toEqual([...active].reverse());
	});

	it('resumes after a configuration with Starting After, and pages towards the newest with Ending Before', async () => {
		const ids = addConfigurations(environment, 6);
		const after = await runConfiguration(environment, 'getAll', {
			returnAll: false,
			limit: 2,
			options: { startingAfter: ids[4] },
		});
		expect(listQueries(after)).toEqual([{ limit: '2', starting_after: ids[4] }]);
		expect(jsonOf(after.items).map((configuration) => configuration.id)).toEqual([ids[3], ids[2]]);

		const before = await runConfiguration(environment, 'getAll', {
			returnAll: false,
			limit: 3,
			options: { endingBefore: ids[0] },
		});
		expect(listQueries(before)[0]).toEqual({ limit: '3', ending_before: ids[0] });
		// Oldest first: the listing runs on from the cursor towards the newest.
		expect(jsonOf(before.items).map((configuration) => configuration.id)).toEqual([ids[1], ids[2], ids[3]]);
	});

	it('follows Ending Before across pages from the first ID of each page', async () => {
		const ids = addConfigurations(environment, 150);
		const run = await runConfiguration(environment, 'getAll', { returnAll: true, options: { endingBefore: ids[0] } });

		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(149);
		const queries = listQueries(run);
		expect(queries).toHaveLength(2);
		expect(queries[1]).toEqual({ limit: '100', ending_before: ids[100] });
		expect(jsonOf(run.items).map((configuration) => configuration.id)).toEqual(ids.slice(1));
	});

	it('asks Stripe to expand the application of every configuration', async () => {
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 1, options: { expand: ['data.application'] } });
		expect(run.error).toBeUndefined();
		expect(listQueries(run)[0]).toMatchObject({ expand: ['data.application'] });
	});

	it.each([
		[{ startingAfter: '../customers' }, 'Starting After'],
		[{ endingBefore: 'cus_123' }, 'Ending Before'],
		[{ startingAfter: 'bpc_1', endingBefore: 'bpc_2' }, 'Starting After'],
	])('refuses cursor options %j before any request', async (options, field) => {
		const run = await runConfiguration(environment, 'getAll', { returnAll: true, options });
		expect(run.error?.message).toMatch(new RegExp(`^${field}:`));
		expect(run.requests).toHaveLength(0);
	});

	it('refuses a Limit below 1 from an expression', async () => {
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: '={{ 0 }}' });
		expect(run.error?.message).toMatch(/^Limit: '0' is not a whole number of 1 or more/);
		expect(run.requests).toHaveLength(0);
	});
});
