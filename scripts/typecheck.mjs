// Type-checks each target with its own tsconfig: shared and the engine core without DOM or Node
// types, the renderer with the DOM only, the page's engine Worker (web/) with the WebWorker lib only, and the Node targets with Node's types.
import { spawnSync } from 'node:child_process';

const projects = ['tsconfig.shared.json', 'tsconfig.engine.json', 'tsconfig.node.json', 'tsconfig.renderer.json', 'tsconfig.web.json'];
let failed = false;
for (const project of projects) {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--pretty', 'false'], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  // TS18003: a target with no files yet is not an error.
  if (result.status !== 0 && !/error TS18003/.test(output)) {
    process.stderr.write(output);
    console.error(`typecheck failed: ${project}`);
    failed = true;
  } else {
    console.log(`typecheck ok: ${project}`);
  }
}
process.exit(failed ? 1 : 0);
