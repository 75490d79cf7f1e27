import { describe, expect, it } from 'vitest';
import { readTracingConfig, TRACING_OFF } from './config.js';

describe('readTracingConfig', () => {
  it('is off when no OpenTelemetry variable is set', () => {
    expect(readTracingConfig({}, 'concord-gateway')).toEqual({ enabled: false });
    expect(readTracingConfig({}, 'concord-gateway')).toBe(TRACING_OFF);
  });

  it('exports over OTLP/HTTP to <endpoint>/v1/traces once OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'concord-subgraph-erp')).toEqual({
      enabled: true, exporter: 'otlp', endpoint: 'http://collector:4318/v1/traces', serviceName: 'concord-subgraph-erp',
    });
  });

  it('takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as the full URL, before the base endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom/traces' };
    expect(readTracingConfig(env, 'concord-gateway')).toMatchObject({ endpoint: 'http://b:4318/custom/traces' });
  });

  it('lets OTEL_SERVICE_NAME rename the service', () => {
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'edge-gateway' }, 'concord-gateway')).toMatchObject({ serviceName: 'edge-gateway' });
  });

  it('respects OTEL_TRACES_EXPORTER: none turns it off, console prints, otlp alone uses the default collector', () => {
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, 'concord-gateway')).toBe(TRACING_OFF);
    expect(readTracingConfig({ OTEL_TRACES_EXPORTER: 'console' }, 'concord-gateway')).toEqual({ enabled: true, exporter: 'console', serviceName: 'concord-gateway' });
    expect(readTracingConfig({ OTEL_TRACES_EXPORTER: 'otlp' }, 'concord-gateway')).toMatchObject({ endpoint: 'http://localhost:4318/v1/traces' });
  });

  it('is off under OTEL_SDK_DISABLED=true whatever else is set', () => {
    expect(readTracingConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, 'concord-gateway')).toBe(TRACING_OFF);
  });

  it('names the bad variable', () => {
    expect(() => readTracingConfig({ OTEL_TRACES_EXPORTER: 'jaeger' }, 'concord-gateway')).toThrow(/OTEL_TRACES_EXPORTER: expected one of otlp, console, none, got "jaeger"/);
    expect(() => readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'concord-gateway')).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: expected an absolute http\(s\) URL, got "collector:4318"/);
  });
});
