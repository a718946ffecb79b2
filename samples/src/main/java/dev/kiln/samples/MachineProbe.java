package dev.kiln.samples;

import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's limits, measured where a benchmark runs so that its figures can be stated as
 * ratios (machines differ: the FMA probe has read 111 to 238 GFLOPS per core on this project's
 * machines): one core's fused multiply-add throughput, that of several threads at once, and the
 * rate one core reads a block of a given size that stays in cache (a batch-1 prediction's weights).
 */
public final class MachineProbe {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Independent FMA chains: enough to cover the FMA latency on the machines seen (4 cycles, 2 units). */
  public static final int FMA_CHAINS = 12;
  /** Loop trips of one {@link #fmaChains} call. */
  public static final int FMA_ITERATIONS = 4096;
  private static final int RUNS = 9;

  private MachineProbe() {
  }

  /** Floating-point operations of one {@link #fmaChains} call (an fma is two). */
  public static double fmaChainsFlops() {
    return 2.0 * FMA_CHAINS * FMA_ITERATIONS * S.length();
  }

  /**
   * {@value #FMA_CHAINS} independent FMA chains on vector registers, {@value #FMA_ITERATIONS}
   * steps each: the core's floating-point peak. The result keeps C2 from dropping the work.
   */
  public static float fmaChains() {
    return fmaChains(FMA_ITERATIONS);
  }

  /** {@link #fmaChains()} over {@code iterations} steps. */
  static float fmaChains(int iterations) {
    FloatVector a = FloatVector.broadcast(S, 0.999f);
    FloatVector b = FloatVector.broadcast(S, 1e-4f);
    FloatVector c0 = FloatVector.broadcast(S, 1f);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
        .reduceLanes(VectorOperators.ADD);
  }

  /** One core's FMA throughput in GFLOPS: the median of {@value #RUNS} timed runs of 5 ms after warm-up. */
  public static double fmaGflops() {
    warmUpFmaChains();
    return unitsPerNanosecond(MachineProbe::fmaChains, fmaChainsFlops());
  }

  /**
   * C2 compiles a method for its calls only after hundreds of them; boxed, before that, a call of
   * 4,096 steps took ~50 ms, so a 0.3 s warm-up of whole calls made a handful and every timed call
   * ran C1's boxed code (some JVM starts read 0.12 GFLOPS where others read 227). Short calls reach
   * C2 first, for a fraction of a second at worst.
   */
  private static void warmUpFmaChains() {
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      fmaChains(16);
    }
  }

  /**
   * The FMA throughput of {@code threads} threads running {@link #fmaChains()} at once, in GFLOPS
   * for all of them: all their flops over the time from the first start to the last finish, the
   * median of {@value #RUNS} runs of about 5 ms. This is what a split product's threads can do
   * together now. On a virtual machine it need not be {@code threads} times {@link #fmaGflops()}:
   * this project's 2-processor machine read 1.9-2.0x one core in some minutes and 1.0x in others
   * (two threads at 110 GFLOPS each where one read 223), its two processors then sharing one
   * physical core.
   */
  public static double fmaGflopsOnThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    warmUpFmaChains();
    long perRun = callsPerRun(MachineProbe::fmaChains);
    long[][] starts = new long[RUNS][threads];
    long[][] ends = new long[RUNS][threads];
    float[] sinks = new float[threads];
    CyclicBarrier barrier = new CyclicBarrier(threads);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers[t] = new Thread(() -> {
        float sink = 0;
        try {
          for (int r = 0; r < RUNS; r++) {
            barrier.await();
            starts[r][thread] = System.nanoTime();
            for (long i = 0; i < perRun; i++) {
              sink += fmaChains();
            }
            ends[r][thread] = System.nanoTime();
          }
        } catch (InterruptedException | BrokenBarrierException e) {
          Thread.currentThread().interrupt();
          sink = Float.NaN;
        }
        sinks[thread] = sink;
      }, "kiln-fma-probe-" + (t + 1));
      workers[t].start();
    }
    float sink = 0;
    for (int t = 0; t < threads; t++) {
      try {
        workers[t].join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Double.NaN;
      }
      sink += sinks[t];
    }
    double[] rates = new double[RUNS];
    for (int r = 0; r < RUNS; r++) {
      long first = Arrays.stream(starts[r]).min().getAsLong();
      long last = Arrays.stream(ends[r]).max().getAsLong();
      rates[r] = threads * perRun * fmaChainsFlops() / (last - first);
    }
    return Float.isNaN(sink) ? Double.NaN : Bench.median(rates);
  }

  /** Short calls of {@link #fmaChains(int)} before the probe: past C2's call threshold. */
  private static final int WARM_UP_CALLS = 3_000;

  /**
   * The rate in GB/s at which one core sums a float array of {@code bytes} read over and over (it
   * stays in whichever cache holds it): the median of {@value #RUNS} timed runs after warm-up.
   */
  public static double readGigabytesPerSecond(int bytes) {
    int length = Math.max(4 * S.length(), bytes / Float.BYTES / (4 * S.length()) * (4 * S.length()));
    float[] block = new float[length];
    Arrays.fill(block, 1e-9f);
    // As fmaGflops: a call over the whole block runs boxed for milliseconds until C2 compiles sum
    // for its calls (this machine read 0.09-130 GB/s from one JVM start to the next).
    float[] warmUpBlock = Arrays.copyOf(block, 4 * S.length());
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      sum(warmUpBlock);
    }
    return unitsPerNanosecond(() -> sum(block), (double) length * Float.BYTES);
  }

  /** One call of the work a probe times; the result keeps C2 from dropping it. */
  private interface Work {
    float run();
  }

  /**
   * {@code units} (flops, bytes) per call of {@code work} over a nanosecond: 0.3 s of calls to warm
   * up and size a run of about 5 ms, then the median of {@value #RUNS} runs.
   */
  private static double unitsPerNanosecond(Work work, double units) {
    float sink = 0;
    long perRun = callsPerRun(work);
    double[] rates = new double[RUNS];
    for (int r = 0; r < RUNS; r++) {
      long start = System.nanoTime();
      for (long i = 0; i < perRun; i++) {
        sink += work.run();
      }
      rates[r] = perRun * units / (System.nanoTime() - start);
    }
    double median = Bench.median(rates);
    return Float.isNaN(sink) ? Double.NaN : median;
  }

  /** Calls of {@code work} for a timed run of about 5 ms, after 0.3 s of them to warm up. */
  private static long callsPerRun(Work work) {
    float sink = 0;
    long calls = 0;
    for (long end = System.nanoTime() + 300_000_000L; System.nanoTime() < end; calls++) {
      sink += work.run();
    }
    return Float.isNaN(sink) ? 1 : Math.max(1, calls * 5 / 300); // reading sink keeps C2 from dropping the calls
  }

  /** Four vector accumulators over the block: loads, not adds, bound the loop. */
  private static float sum(float[] block) {
    int l = S.length();
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    for (int i = 0; i < block.length; i += 4 * l) {
      s0 = s0.add(FloatVector.fromArray(S, block, i));
      s1 = s1.add(FloatVector.fromArray(S, block, i + l));
      s2 = s2.add(FloatVector.fromArray(S, block, i + 2 * l));
      s3 = s3.add(FloatVector.fromArray(S, block, i + 3 * l));
    }
    return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
  }
}
