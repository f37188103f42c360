const path = require('path');
const { finished } = require('stream/promises');
const { task, src, dest } = require('gulp');

// tsc emits only JavaScript; n8n loads node and credential icons from beside the built files.
task('build:icons', async () => {
	await Promise.all(
		['nodes', 'credentials'].map((folder) =>
			finished(
				src(path.resolve(folder, '**', '*.{png,svg}'), { encoding: false }).pipe(
					dest(path.resolve('dist', folder)),
				),
			),
		),
	);
});
