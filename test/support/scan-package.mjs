// Runs n8n's community-package scanner (@n8n/scan-community-package, pinned) on local folders
// through its exported analyzePackage, the lint its CLI applies to a published package's attested
// source and to its tarball. An ES module of its own because the scanner is one, and jest loads
// CommonJS. Usage: node scan-package.mjs '[{"dir": "…", "patterns": ["…"] | "source"}]'; prints
// one { passed, message, details } per job as JSON.
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const jobs = JSON.parse(process.argv[2]);
const results = [];
for (const job of jobs) {
	const result = await analyzePackage(job.dir, job.patterns === 'source' ? SOURCE_FILE_PATTERNS : job.patterns);
	results.push({ passed: result.passed, message: result.message ?? null, details: result.details ?? null });
}
process.stdout.write(JSON.stringify(results));
