// The compiled `lab` command's entry (deploy/build-server.mjs): what api/bin/lab.js runs through
// tsx, without tsx.
import { main } from '../api/src/cli/lab.ts';

await main(process.argv);
