/** What `concord cdc status` and readiness report per source. */
export interface CaptureStatus {
  source: 'erp' | 'crm';
  mode: 'watermark' | 'logical-replication' | 'webhooks';
  /** The durable position: watermarks per table, the slot's confirmed LSN, the CRM sweep's time. */
  position: unknown;
  /** How far the captured position is behind the source's newest change. */
  lagSeconds: number;
  /** Changes in the source not yet captured, when the source can say (0 otherwise). */
  lagEvents: number;
  captured: number;
  /** The capture's standing failure: set when its last attempt failed, cleared when one succeeds. */
  lastError?: string;
  /** Requests refused as not from the source (webhook signature or timestamp): reported, but not a failure of the capture. */
  refused?: number;
}

/** One source's change capture: started after the consumer, stopped before it. */
export interface SourceCapture {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): CaptureStatus;
  /** Brings the lag figures up to date (they cost a query, so only status requests pay for them). */
  refresh?(): Promise<void>;
}
