import { JobRecord } from './emulator-records.interface';

const STREETS = ['Maple Ave', 'Oak St', 'Pine Rd', 'Cedar Ln', 'Elm Dr', 'Birch Ct', 'Willow Way', 'Spruce Blvd'];
const CITIES: Array<[city: string, region: string, postalPrefix: string]> = [
  ['Denver', 'CO', '802'],
  ['Austin', 'TX', '787'],
  ['Portland', 'OR', '972'],
  ['Raleigh', 'NC', '276'],
  ['Madison', 'WI', '537'],
];
const STATES: JobRecord['state'][] = ['complete', 'processing', 'complete', 'uploading', 'complete', 'failed', 'cancelled'];
/** 2024-01-02T15:00:00Z; job n is created n days later. */
const FIRST_CREATED_AT_MS = Date.UTC(2024, 0, 2, 15, 0, 0);
const DAY_MS = 86_400_000;

/**
 * Builds `count` deterministic jobs for an org: same arguments, same jobs, on every run.
 * Ids are `orgId * 10000 + n` (n = 1…count) so they never collide across orgs; the n-th job has
 * `state` cycling complete/processing/complete/uploading/complete/failed/cancelled, `created_at`
 * 2024-01-02T15:00:00Z + (n-1) days, and a US address derived from n.
 * @param orgId owning org id
 * @param count number of jobs, integer ≥ 0
 * @returns jobs ordered by ascending id
 */
export function buildJobs(orgId: number, count: number): JobRecord[] {
  const jobs: JobRecord[] = [];
  for (let n = 1; n <= count; n++) {
    const [city, region, postalPrefix] = CITIES[(n - 1) % CITIES.length];
    const street = STREETS[(n - 1) % STREETS.length];
    const houseNumber = 100 + ((n * 37) % 900);
    jobs.push({
      id: orgId * 10000 + n,
      name: `${houseNumber} ${street}`,
      external_identifier: `EMU-${orgId}-${String(n).padStart(4, '0')}`,
      state: STATES[(n - 1) % STATES.length],
      created_at: new Date(FIRST_CREATED_AT_MS + (n - 1) * DAY_MS).toISOString(),
      location: { line_1: `${houseNumber} ${street}`, city, region, postal_code: `${postalPrefix}${String(n % 100).padStart(2, '0')}` },
    });
  }
  return jobs;
}
