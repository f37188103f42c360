/**
 * Child process entry for bench/engine-workers.ts: one stand-in for an n8n queue-mode worker, a
 * process of its own with the built package loaded once into n8n's engine, running the executions
 * the parent hands it (each one item, Portal Session → Create, under the execution ID the parent
 * gives, as n8n's numbering does).
 */
import { loadPackage, runThroughEngine, type LoadedPackage } from './engine';
import { serve } from './ipc';
import { RETURN_URL_EXPRESSION, SUBJECTS } from './subjects';

let pkg: LoadedPackage | undefined;

serve({
	load: async () => {
		pkg = await loadPackage(SUBJECTS.ours.packageDir);
	},
	run: async (baseUrl: string, secretKey: string, executionId: string) => {
		if (!pkg) throw new Error('load first');
		const run = await runThroughEngine(pkg, SUBJECTS.ours, {
			items: [{ id: executionId }],
			baseUrl,
			secretKey,
			parameters: { returnUrl: RETURN_URL_EXPRESSION },
			mode: 'webhook',
			executionId,
		});
		return { failed: run.failedItems, failures: run.failures };
	},
});
