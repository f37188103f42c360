/**
 * (c) Peak memory: N items through the engine, each subject in a fresh process of its own
 * (memory-process.ts), against the shared sandbox process with no limit.
 */
import { resolve } from 'node:path';

import { ChildClient, forkTypeScript } from './ipc';
import type { SandboxProcess } from './sandbox';
import { SUBJECTS, UNBOUNDED, type NodeOptions, type SubjectName } from './subjects';

export interface MemoryJob {
	subject: SubjectName;
	items: number;
	baseUrl: string;
	options?: NodeOptions;
	/** Lift Stripe's limits out of the node's account limiter (see limiter.ts). */
	liftLimits?: boolean;
}

export interface MemoryMeasurement {
	baselineRssMb: number;
	baselineHeapUsedMb: number;
	baselineMaxRssMb: number;
	peakRssMb: number;
	peakRssSampledMb: number;
	peakHeapUsedMb: number;
	samples: number;
	wallMs: number;
	outputItems: number;
	failedItems: number;
	failures: string[];
	/** Why the child could not lift the node's account limits, when it was asked to. */
	limitsNotLifted?: string;
}

export interface MemoryRow extends MemoryMeasurement {
	subject: SubjectName;
	label: string;
	items: number;
	sessions: number;
}

export interface MemorySection {
	status: 'measured' | 'error';
	error?: string;
	items: number;
	rows: MemoryRow[];
	notes: string[];
}

export async function measureMemory(options: {
	sandbox: SandboxProcess;
	items: number;
	/** Whether to lift the node's account limits in the child (see limiter.ts). */
	liftLimits: boolean;
	missingNodeOptions: string[];
	log: (line: string) => void;
}): Promise<MemorySection> {
	const { sandbox, items, log, liftLimits } = options;
	const baseUrl = await sandbox.start();
	const rows: MemoryRow[] = [];
	const notes: string[] = [];
	if (options.missingNodeOptions.includes('maxRequestsPerSecond')) {
		notes.push('the node has no requestSettings.maxRequestsPerSecond: it ran as it is (it has no throttle to lift)');
	}
	if (!liftLimits) notes.push("the node's account limiter was not lifted: this node ran at its automatic pace");
	for (const subject of ['ours', 'minimal'] as const) {
		await sandbox.reset();
		log(`(c) ${SUBJECTS[subject].label}: ${items} items in a fresh process`);
		const child = new ChildClient(
			forkTypeScript(resolve(__dirname, 'memory-process.ts'), ['--expose-gc']),
			`The memory process (${subject})`,
		);
		try {
			const job: MemoryJob = { subject, items, baseUrl, options: subject === 'ours' ? UNBOUNDED : undefined, liftLimits };
			const measurement = await child.call<MemoryMeasurement>('measure', job);
			rows.push({ subject, label: SUBJECTS[subject].label, items, sessions: await sandbox.sessionCount(), ...measurement });
			if (measurement.limitsNotLifted) notes.push(`${SUBJECTS[subject].label}: ${measurement.limitsNotLifted}`);
		} finally {
			await child.close();
		}
	}
	return { status: 'measured', items, rows, notes };
}
