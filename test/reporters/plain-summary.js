// CI reads a plain "N passed, N failed" closing line; jest's own summary is not in that form.
// The line is printed here and kept in .cache/test-summary.txt (or the `file` option), so .ci/run
// can add the suites' totals and repeat them last.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class PlainSummaryReporter {
	constructor(globalConfig, options = {}) {
		this.rootDir = globalConfig.rootDir;
		this.file = options.file ?? 'test-summary.txt';
	}

	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		let failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		// A run that broke before its tests (a missing module, a config error) must not read as clean.
		// (jest sets `success` only after reporters ran; `runExecError` is already there.)
		if (results.runExecError && failed === 0) failed = Math.max(1, results.numTotalTestSuites - results.numPassedTestSuites);
		const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
		process.stdout.write(`\n${line}\n`);
		const folder = join(this.rootDir, '.cache');
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, this.file), `${line}\n`);
	}
}

module.exports = PlainSummaryReporter;
