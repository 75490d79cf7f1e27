/**
 * Test helper run as a child process: starts a customer batch match against
 * the database in argv[2] and kills its own process (SIGKILL, no cleanup)
 * once the batch has written part of its rows.
 */
import { createPool } from '../../platform/db/index.js';
import { runBatchMatch } from '../store/runBatch.js';

const pool = createPool({ connectionString: process.argv[2], max: 2 });
await runBatchMatch(pool, 'customer', {
  mode: 'deterministic',
  onProgress: (step, done, total) => {
    if (step === 'write' && done > 0 && done < total) process.kill(process.pid, 'SIGKILL');
  },
});
console.log('batch finished without being killed');
await pool.end();
