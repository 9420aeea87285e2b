// The few parts of autocannon's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      overallRate?: number;
      timeout?: number;
      requests?: Array<{ setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
    }
    interface Result {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number };
      duration: number;
      errors: number;
      timeouts: number;
      non2xx?: number;
    }
  }
  function autocannon(opts: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
