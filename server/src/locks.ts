// Every PostgreSQL advisory lock key Tributary takes, so that no two purposes ever share one.
// Any constants work: each only has to be the same in every process and unlike the others. The
// one-key form (bigint) and the two-key form (int, int) are separate lock spaces in PostgreSQL, but
// the keys stay distinct across both so a row of pg_locks (classid = key in the two-key form) names
// one purpose.
export const LOCKS = {
  /** db/migrate.ts, one-key session lock: processes starting at once apply each migration once */
  migrations: 72_707_001,
  /** operations/reimport.ts, (key, testId): two reimports of one test never interleave */
  reimport: 72_707_002,
  /** operations/record-state.ts, (key, connectorId): one discover reconciles a connector's records at a time */
  recordReconcile: 72_707_003,
  /** auth/bootstrap.ts, one-key: concurrent first starts create one superuser */
  bootstrapAdmin: 72_707_004,
  /**
   * notifications/dispatch.ts, one-key transaction lock: one dispatcher at a time, so deliveries are
   * created in event order (two at once each took a share and the later events' alerts came first)
   */
  notificationDispatch: 72_707_005,
} as const;
