// check.mjs: imported first by the browser and client suites, so that an old
// Node.js stops them with a plain reason before any package fails on it.
const NODE_MIN = 20;   // playwright-core and jira.js 5 need it

const major = Number(process.versions.node.split('.')[0]);
if (major < NODE_MIN) {
	console.error(`Node.js ${NODE_MIN} or newer is needed, this is ${process.version} (${process.execPath}).\n`
		+ "Run the suite through tests/node/run after 'make deps-test', which installs one into tests/node/.");
	console.log('0 passed, 1 failed');
	process.exit(1);
}
