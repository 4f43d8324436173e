import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface DataPoint<T> {
  attributes: Record<string, unknown>;
  value: T;
}

/**
 * The OpenTelemetry SDK registered globally with in-memory exporters, as an application's
 * instrumentation would register it before creating the Nest application.
 */
export class TestTelemetry {
  private readonly metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  private readonly reader = new PeriodicExportingMetricReader({
    exporter: this.metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  private readonly spanExporter = new InMemorySpanExporter();
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.spanExporter)],
  });

  static register(): TestTelemetry {
    const telemetry = new TestTelemetry();
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    return telemetry;
  }

  /** The data points of one instrument, as exported now. */
  async points<T = number>(name: string): Promise<Array<DataPoint<T>>> {
    await this.reader.forceFlush();
    const latest = this.metricExporter.getMetrics().at(-1);
    const metric = latest?.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map(({ attributes, value }) => ({
      attributes,
      value: value as T,
    }));
  }

  spans(name: string): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans().filter((span) => span.name === name);
  }

  async unregister(): Promise<void> {
    metrics.disable();
    trace.disable();
    await this.meterProvider.shutdown();
    await this.tracerProvider.shutdown();
  }
}
