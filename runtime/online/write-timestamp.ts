/**
 * Last-writer-wins, the same rule in every online store: a write applies only if its `updatedAt` is not
 * older than the stored one's, so a replayed command, a command delivered out of order or an upsync of
 * older offline rows never replaces a newer value (issue 9 and 10's contract).
 *
 * Cassandra does this natively with `USING TIMESTAMP`, cell by cell, in microseconds. `updatedAt` has
 * millisecond precision, so two different values written in the same millisecond would tie, and
 * Cassandra breaks a tie per cell by comparing the cells' bytes: fs_value of one write could then be
 * kept next to fs_schema_id of the other, bytes read under the wrong writer schema. The microseconds
 * within the millisecond are therefore taken from a hash of the value and its schema id: a tie then
 * needs two different values in the same millisecond AND the same hash slot (1 in 1,000), and whichever
 * order the writes arrive in, every replica and every store picks the same winner. SQLite compares the
 * same two numbers (the stored row's slot through a SQL function registered on its connection).
 */
import type { StoredValue } from './online-store.ts';

/** Slots per millisecond: the microseconds of a write timestamp. */
const SLOTS = 1000;

/** A deterministic slot in 0..999 for these bytes and schema id (FNV-1a, 32 bits). */
export function tieBreakSlot(bytes: Uint8Array, schemaId: bigint): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  // The schema id's 8 bytes, low first.
  let id = BigInt.asUintN(64, schemaId);
  for (let i = 0; i < 8; i++) {
    h ^= Number(id & 0xffn);
    h = Math.imul(h, 0x01000193);
    id >>= 8n;
  }
  return (h >>> 0) % SLOTS;
}

/** The write timestamp in microseconds since the epoch (CQL `USING TIMESTAMP`). */
export function writeTimestampMicros(value: StoredValue): bigint {
  return BigInt(value.updatedAt.getTime()) * BigInt(SLOTS) + BigInt(tieBreakSlot(value.value, value.schemaId));
}
