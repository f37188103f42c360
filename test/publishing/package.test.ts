/**
 * The built package as n8n loads it: through the `n8n` manifest in package.json, with its
 * icons and codex beside the compiled files and no runtime dependencies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadPackage } from '../harness';
import { PACKAGE_DIR } from '../support/session';

const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));

describe('the built package', () => {
	it('loads with n8n-core’s package loader: the node and its trigger, one credential', async () => {
		const pkg = await loadPackage(PACKAGE_DIR);
		expect(pkg.packageName).toBe('n8n-nodes-stripe-billing-portal');
		expect(Object.keys(pkg.loader.nodeTypes)).toEqual(['stripeBillingPortal', 'stripeBillingPortalTrigger']);
		expect(Object.keys(pkg.loader.credentialTypes)).toEqual(['stripeBillingPortalApi']);
		const node = pkg.loader.nodeTypes.stripeBillingPortal.type;
		expect('description' in node && node.description.displayName).toBe('Stripe Billing Portal');
		const trigger = pkg.loader.nodeTypes.stripeBillingPortalTrigger.type;
		expect('description' in trigger && trigger.description.displayName).toBe('Stripe Billing Portal Trigger');
		expect('description' in trigger && (trigger.description as { credentials?: unknown }).credentials).toEqual([{ name: 'stripeBillingPortalApi', required: true }]);
	});

	it('ships every file the manifest, icons and codex name', () => {
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(existsSync(join(PACKAGE_DIR, file))).toBe(true);
		}
		for (const icon of [
			'dist/nodes/StripeBillingPortal/stripeBillingPortal.svg',
			'dist/nodes/StripeBillingPortal/stripeBillingPortal.dark.svg',
			'dist/credentials/stripeBillingPortal.svg',
			'dist/credentials/stripeBillingPortal.dark.svg',
			'dist/nodes/StripeBillingPortal/StripeBillingPortal.node.json',
			'dist/nodes/StripeBillingPortalTrigger/stripeBillingPortal.svg',
			'dist/nodes/StripeBillingPortalTrigger/stripeBillingPortal.dark.svg',
			'dist/nodes/StripeBillingPortalTrigger/StripeBillingPortalTrigger.node.json',
		]) {
			expect(existsSync(join(PACKAGE_DIR, icon))).toBe(true);
		}
		const codex = JSON.parse(readFileSync(join(PACKAGE_DIR, 'dist/nodes/StripeBillingPortal/StripeBillingPortal.node.json'), 'utf8'));
		expect(codex.node).toBe('n8n-nodes-stripe-billing-portal.stripeBillingPortal');
		const triggerCodex = JSON.parse(readFileSync(join(PACKAGE_DIR, 'dist/nodes/StripeBillingPortalTrigger/StripeBillingPortalTrigger.node.json'), 'utf8'));
		expect(triggerCodex.node).toBe('n8n-nodes-stripe-billing-portal.stripeBillingPortalTrigger');
	});

	it('has no runtime dependencies and only n8n-workflow as a peer', () => {
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(manifest.files).toEqual(['dist']);
	});

	it('pins the n8n engine it is tested against', () => {
		expect(manifest.devDependencies['n8n-core']).toMatch(/^\d+\.\d+\.\d+$/);
		expect(manifest.devDependencies['n8n-workflow']).toMatch(/^\d+\.\d+\.\d+$/);
	});
});
