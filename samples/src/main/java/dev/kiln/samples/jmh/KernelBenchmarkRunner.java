package dev.kiln.samples.jmh;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code kiln-samples.jar jmh}: runs {@link KernelBenchmarks} and prints each kernel's time, its
 * GFLOPS (or GB/s for the memory-bound ones) and the fraction of the FMA peak measured in the same
 * run.
 */
public final class KernelBenchmarkRunner {
  /** Floating-point operations per call (an FMA counts 2). */
  private static final Map<String, Double> FLOPS = new LinkedHashMap<>();

  static {
    FLOPS.put("gemm64x784x256", 2.0 * 64 * 784 * 256);
    FLOPS.put("gemmTransA784x64x256", 2.0 * 784 * 64 * 256);
    FLOPS.put("gemmTransB64x128x256", 2.0 * 64 * 128 * 256);
    FLOPS.put("gemm64x256x128", 2.0 * 64 * 256 * 128);
    FLOPS.put("gemm64x128x10", 2.0 * 64 * 128 * 10);
    FLOPS.put("gemmTransA256x64x128", 2.0 * 256 * 64 * 128);
    FLOPS.put("gemmTransA128x64x10", 2.0 * 128 * 64 * 10);
    FLOPS.put("gemmTransB64x10x128", 2.0 * 64 * 10 * 128);
    FLOPS.put("gemm256x784x256", 2.0 * 256 * 784 * 256);
    FLOPS.put("gemm256x784x256Threaded", 2.0 * 256 * 784 * 256);
    FLOPS.put("gemv784x256", 2.0 * 784 * 256);
    FLOPS.put("gemvBf16_784x256", 2.0 * 784 * 256);
    FLOPS.put("softmax256x10", Double.NaN);
    FLOPS.put("adam235k", Double.NaN);
    FLOPS.put("adamChecked235k", Double.NaN);
    FLOPS.put("lstmStep1x86x128", 2.0 * (86 + 128) * 512);
    FLOPS.put("lstmForward32x64x86x128", 2.0 * 32 * 64 * (86 + 128) * 512);
  }

  private KernelBenchmarkRunner() {}

  /**
   * Runs every benchmark, or with an argument only those whose name it matches (a regular
   * expression, e.g. {@code gemm|adam}) and the FMA probe they are compared with.
   */
  public static void main(String[] args) throws RunnerException {
    String names = args.length > 0 ? "(" + args[args.length - 1] + "|fmaPeak)" : "";
    Options options = new OptionsBuilder()
        .include(KernelBenchmarks.class.getName() + "\\." + names)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Double> micros = new LinkedHashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      micros.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
    }
    double peak = dev.kiln.samples.MachineProbe.fmaChainsFlops() / (micros.get("fmaPeak") * 1e3);
    System.out.printf(Locale.ROOT, "%nFMA peak (probe, 1 core): %.1f GFLOPS; the Threaded line uses every core%n", peak);
    System.out.printf(Locale.ROOT, "%-26s %12s %10s %9s%n", "kernel", "us/call", "GFLOPS", "of peak");
    for (Map.Entry<String, Double> e : FLOPS.entrySet()) {
      if (!micros.containsKey(e.getKey())) {
        continue;
      }
      double us = micros.get(e.getKey());
      double gflops = e.getValue() / (us * 1e3);
      System.out.printf(Locale.ROOT, "%-26s %12.3f %10s %9s%n", e.getKey(), us,
          Double.isNaN(gflops) ? "-" : String.format(Locale.ROOT, "%.1f", gflops),
          Double.isNaN(gflops) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * gflops / peak));
    }
  }
}
