// CI reads a plain "N passed, N failed" closing line; jest's own summary is not in that form.
// The line is printed here and kept in .cache/test-summary.txt, so .ci/run can repeat it last.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class PlainSummaryReporter {
	constructor(globalConfig) {
		this.rootDir = globalConfig.rootDir;
	}

	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
		process.stdout.write(`\n${line}\n`);
		const folder = join(this.rootDir, '.cache');
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, 'test-summary.txt'), `${line}\n`);
	}
}

module.exports = PlainSummaryReporter;
