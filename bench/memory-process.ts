/**
 * Child process entry for (c): loads one subject's package, then runs N items through the engine
 * once while sampling memory. One process per subject, so the figures are that subject's alone.
 */
import { inputItems, loadPackage, runThroughEngine } from './engine';
import { serve } from './ipc';
import { liftAccountLimits, limiterIsShared } from './limiter';
import type { MemoryJob, MemoryMeasurement } from './memory';
import { SUBJECTS } from './subjects';

const MB = 1024 * 1024;
const SAMPLE_EVERY_MS = 50;

async function measure(job: MemoryJob): Promise<MemoryMeasurement> {
	const subject = SUBJECTS[job.subject];
	const pkg = await loadPackage(subject.packageDir);
	let limitsNotLifted: string | undefined;
	// Only this node has an account limiter; loaded, it has put the module in the cache.
	if (job.liftLimits && job.subject === 'ours') {
		if (!limiterIsShared()) limitsNotLifted = "the node's limiter module is not in this process's cache";
		else {
			try {
				liftAccountLimits();
			} catch (error) {
				limitsNotLifted = (error as Error).message;
			}
		}
	}
	const items = inputItems(job.items);
	// Started with --expose-gc: the baseline is what stays alive, not garbage from loading.
	(globalThis as { gc?: () => void }).gc?.();
	const baseline = process.memoryUsage();
	const baselineMaxRssKb = process.resourceUsage().maxRSS;

	let peakHeapUsed = baseline.heapUsed;
	let peakRssSampled = baseline.rss;
	let samples = 0;
	const sample = () => {
		const now = process.memoryUsage();
		peakHeapUsed = Math.max(peakHeapUsed, now.heapUsed);
		peakRssSampled = Math.max(peakRssSampled, now.rss);
		samples++;
	};
	const timer = setInterval(sample, SAMPLE_EVERY_MS);
	let run;
	try {
		run = await runThroughEngine(pkg, subject, { items, baseUrl: job.baseUrl, options: job.options });
	} finally {
		clearInterval(timer);
		sample();
	}
	return {
		baselineRssMb: baseline.rss / MB,
		baselineHeapUsedMb: baseline.heapUsed / MB,
		// maxRSS is the peak over the process's life; the one before the run says whether loading set it.
		baselineMaxRssMb: baselineMaxRssKb / 1024,
		peakRssMb: process.resourceUsage().maxRSS / 1024,
		peakRssSampledMb: peakRssSampled / MB,
		peakHeapUsedMb: peakHeapUsed / MB,
		samples,
		wallMs: run.wallMs,
		outputItems: run.outputItems,
		failedItems: run.failedItems,
		failures: run.failures,
		limitsNotLifted,
	};
}

serve({ measure });
