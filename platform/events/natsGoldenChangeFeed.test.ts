import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { goldenChangeSubject, type GoldenRecordChanged } from './changeEvents.js';
import { natsGoldenChangeFeed } from './natsGoldenChangeFeed.js';

/**
 * Against the NATS server at 127.0.0.1:4222 (TEST_NATS_URL). Skipped with a
 * message without one; under CI=true a missing server fails.
 */
const servers = process.env.TEST_NATS_URL ?? '127.0.0.1:4222';

async function natsProblem(): Promise<string | undefined> {
  try {
    const probe = await connect({ servers, timeout: 1_000, reconnect: false });
    await probe.close();
    return undefined;
  } catch (error) {
    return `no NATS at ${servers} (${(error as Error).message})`;
  }
}

const problem = await natsProblem();
if (problem && process.env.CI === 'true') throw new Error(`${problem}: under CI=true the NATS variant is mandatory`);
if (problem) console.warn(`[tests] skipping the NATS golden change feed test: ${problem}`);

describe.skipIf(problem !== undefined)('the NATS golden change feed', () => {
  it('delivers the changes published on concord.golden.<entity> and skips what is not one', async () => {
    const invalid: string[] = [];
    const feed = await natsGoldenChangeFeed({ servers, onInvalid: (reason) => invalid.push(reason) });
    const received: GoldenRecordChanged[] = [];
    const masterId = `cus_test_${process.pid}_${Date.now()}`;
    const arrived = new Promise<void>((resolve) => {
      feed.subscribe((change) => {
        if (change.masterId === masterId) {
          received.push(change);
          resolve();
        }
      });
    });
    const publisher = await connect({ servers });
    const change: GoldenRecordChanged = {
      eventId: `evt-${masterId}`, entity: 'customer', masterId, kind: 'updated', changedFields: ['name'], relatedMasterIds: [], cause: { kind: 'steward' }, occurredAt: new Date().toISOString(),
    };
    publisher.publish(goldenChangeSubject('customer'), 'not json');
    publisher.publish(goldenChangeSubject('customer'), JSON.stringify(change));
    await publisher.flush();
    await arrived;
    await publisher.close();
    await feed.close();
    expect(received).toEqual([change]);
    expect(invalid).toContain('not JSON on concord.golden.customer');
  });
});
