package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once C2 has compiled them, the Vector API kernels allocate nothing even where C2 has no type
 * profile to go by: the build runs this class in its own JVM with {@code -XX:-UseTypeProfile}
 * (the {@code kernels-without-profiles} execution of the runtime's pom).
 *
 * <p>Why: a kernel that calls a method on a vector C2 cannot type exactly while parsing it binds
 * that call only by speculating on a receiver profile. When no usable profile exists (the shared
 * Vector API method ran at C1's tier 2, or too many deoptimizations were already recorded), C2
 * emits a virtual call instead: the species stops being a constant, every intrinsic fails and every
 * vector is boxed, about 10x slower. That happened in some JVM starts and not others; without
 * profiles it happens every time, so this test fails on the first kernel that depends on one.
 * See {@link VectorGemm#EXACT} for the rule the kernels follow.
 */
class VectorKernelsWithoutProfilesTest {

  /** How long one kernel may take to reach C2 and stop allocating. */
  private static final long DEADLINE_NANOS = 20_000_000_000L;

  private static Gemm gemm;
  private static Elementwise e;

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    gemm = KernelSelector.vectorGemm();
    e = KernelSelector.vectorElementwise();
  }

  /** Sizes past three vectors of 16 lanes, with a scalar tail for every lane count. */
  private static final int N = 4 * 16 + 3;
  private static final float[] X = values(N, 1);
  private static final float[] Y = values(N, 2);
  private static final float[] DY = values(N, 3);
  private static final float[] DX = new float[N];
  private static final float[] OUT = new float[N];

  static Stream<Arguments> kernels() {
    List<Arguments> cases = new ArrayList<>();
    // GEMM: 8 x 2-vector blocks (64 columns: a panel and one vector become two pairs), full
    // 8 x 3-vector tiles and a one-row tile, a partial edge vector; the batch-1 paths (eight, two
    // and one vector of columns and a scalar tail; dot products).
    for (int[] s : new int[][] {{16, 64, 40}, {9, 53, 40}, {1, 8 * 16 + 2 * 16 + 16 + 3, 40}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = values(m * k, 4);
      float[] b = values(k * n, 5);
      float[] c = new float[m * n];
      cases.add(Arguments.of("gemm " + m + "x" + n + "x" + k,
          (Runnable) () -> gemm.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, true)));
      cases.add(Arguments.of("gemmTransA " + m + "x" + n + "x" + k,
          (Runnable) () -> gemm.gemmTransA(m, n, k, a, 0, m, b, 0, n, c, 0, n, false)));
      cases.add(Arguments.of("gemmTransB " + m + "x" + n + "x" + k,
          (Runnable) () -> gemm.gemmTransB(m, n, k, a, 0, k, b, 0, k, c, 0, n, true)));
    }
    // A batch-1 forward product: sixteen vectors of columns at a time where there are 32 registers.
    int wide = 16 * 16 + 8 * 16 + 16 + 3;
    float[] row = values(40, 6);
    float[] weights = values(40 * wide, 7);
    float[] out = new float[wide];
    cases.add(Arguments.of("gemm 1x" + wide + "x40 forward",
        (Runnable) () -> gemm.gemm(1, wide, 40, row, 0, 40, weights, 0, wide, out, 0, wide, false)));
    short[] halfWeights = new short[weights.length];
    gemm.packBf16(40, wide, weights, 0, wide, halfWeights); // four pairs, a vector in order, 3 columns
    cases.add(Arguments.of("gemmBf16 1x" + wide + "x40 forward",
        (Runnable) () -> gemm.gemmBf16(1, wide, 40, row, 0, 40, halfWeights, 0, wide, out, 0, wide, false)));
    // The same product over a row with zeros, both ways: the count, then the listed rows' kernels.
    float[] sparseRow = row.clone();
    for (int i = 0; i < sparseRow.length; i += 2) {
      sparseRow[i] = 0f;
    }
    int[] nonzeroRows = new int[40];
    cases.add(Arguments.of("gemm 1x" + wide + "x40 skipping zeros",
        (Runnable) () -> gemm.rowTimesMatrixSkippingZeros(wide, 40, sparseRow, 0, weights, 0, wide, out, 0,
            nonzeroRows)));
    cases.add(Arguments.of("gemm 1x" + wide + "x40 listed rows",
        (Runnable) () -> VectorGemm.listedRowsTimesMatrix(wide, 40, VectorGemm.listNonzero(40, sparseRow, 0, nonzeroRows),
            sparseRow, 0, weights, 0, wide, out, 0, nonzeroRows)));
    // Narrow products: lanes across C's columns (whole-row stores, the tile for the last rows) and
    // across C's rows (an accumulated gradient through the tile, its last B row staged).
    float[] narrowA = values(120 * 10, 10);
    float[] narrowB = values(120 * 10, 11);
    float[] narrowC = new float[120 * 10];
    cases.add(Arguments.of("narrow product 120x10x4", (Runnable) () -> VectorNarrowProducts.product(
        120, 10, 4, narrowA, 0, 4, 1, narrowB, 0, 10, 1, narrowC, 0, 10, false)));
    cases.add(Arguments.of("narrow gradient 10x3 over 120", (Runnable) () -> VectorNarrowProducts.product(
        10, 3, 120, narrowA, 0, 1, 10, narrowB, 120 * 10 - 120 * 3, 3, 1, narrowC, 0, 3, true)));
    cases.add(Arguments.of("add", (Runnable) () -> e.add(N, X, 0, Y, 0, OUT, 0)));
    cases.add(Arguments.of("allFinite", (Runnable) () -> e.allFinite(N, X, 0)));
    float[] sums = new float[2];
    cases.add(Arguments.of("sumAbs2", (Runnable) () -> e.sumAbs2(N - 1, 1, X, Y, sums)));
    cases.add(Arguments.of("accumulate", (Runnable) () -> e.accumulate(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("addRowVector", (Runnable) () -> e.addRowVector(3, 21, Y, 0, OUT, 0)));
    cases.add(Arguments.of("sumColumns 4 vectors",
        (Runnable) () -> e.sumColumns(1, N, X, 0, OUT, 0, true)));
    cases.add(Arguments.of("sumColumns", (Runnable) () -> e.sumColumns(3, 21, X, 0, OUT, 0, false)));
    cases.add(Arguments.of("relu", (Runnable) () -> e.relu(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("leakyRelu", (Runnable) () -> e.leakyRelu(N, 0.1f, X, 0, OUT, 0)));
    cases.add(Arguments.of("elu", (Runnable) () -> e.elu(N, 1f, X, 0, OUT, 0)));
    cases.add(Arguments.of("selu", (Runnable) () -> e.selu(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("sigmoid", (Runnable) () -> e.sigmoid(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("tanh", (Runnable) () -> e.tanh(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("swish", (Runnable) () -> e.swish(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("gelu", (Runnable) () -> e.gelu(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("geluTanh", (Runnable) () -> e.geluTanh(N, X, 0, OUT, 0)));
    cases.add(Arguments.of("reluBackward",
        (Runnable) () -> e.reluBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("leakyReluBackward",
        (Runnable) () -> e.leakyReluBackward(N, 0.1f, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("eluBackward",
        (Runnable) () -> e.eluBackward(N, 1f, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("seluBackward",
        (Runnable) () -> e.seluBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("sigmoidBackward",
        (Runnable) () -> e.sigmoidBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("tanhBackward",
        (Runnable) () -> e.tanhBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("swishBackward",
        (Runnable) () -> e.swishBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("geluBackward",
        (Runnable) () -> e.geluBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("geluTanhBackward",
        (Runnable) () -> e.geluTanhBackward(N, X, 0, Y, 0, DY, 0, DX, 0)));
    cases.add(Arguments.of("softmax", (Runnable) () -> e.softmax(3, 21, 0.5f, X, 0, OUT, 0)));
    float[] logits = values(130 * 5, 9); // a block large enough for the vector pass across rows
    float[] probabilities = new float[logits.length];
    cases.add(Arguments.of("softmax of narrow rows",
        (Runnable) () -> e.softmax(130, 5, 0.5f, logits, 0, probabilities, 0)));
    cases.add(Arguments.of("softmaxBackward",
        (Runnable) () -> e.softmaxBackward(3, 21, 0.5f, Y, 0, DY, 0, DX, 0)));
    return cases.stream();
  }

  /**
   * Runs the kernel until a batch of calls allocates nothing (C2's code is in place) or the
   * deadline passes. Before C2, calls box their vectors (the interpreter and C1 do not intrinsify
   * the Vector API), so a kernel whose compiled code still boxes never gets there.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void allocatesNothingOnceCompiled(String name, Runnable kernel) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long start = System.nanoTime();
    long allocated = -1;
    while (System.nanoTime() - start < DEADLINE_NANOS) {
      for (int i = 0; i < 2_000; i++) {
        kernel.run();
      }
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < 200; i++) {
        kernel.run();
      }
      allocated = threads.getThreadAllocatedBytes(thread) - before;
      if (allocated < 200) { // one boxed vector is ~100 bytes; a boxing kernel makes dozens a call
        return;
      }
    }
    fail(name + " still allocates " + allocated / 200 + " bytes a call after "
        + (System.nanoTime() - start) / 1_000_000_000 + " s without type profiles: a call on a"
        + " vector C2 cannot type exactly (see VectorGemm.EXACT)");
  }

  /**
   * C1 compiles every kernel at tier 3 (full profiling). A kernel C1 cannot compile there ("out
   * of virtual registers in LIR generator": each Vector API call inlines deep in C1) never gets
   * profiled, so once it has been compiled at tier 2 (which happens when C2's queue is long) the
   * tiered policy leaves it there, boxed, for good. Checked in a JVM that stops at tier 3.
   */
  @Test
  void c1CompilesEveryKernelWithProfiling() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
        "-XX:TieredStopAtLevel=3", "-XX:+PrintCompilation",
        "-cp", System.getProperty("java.class.path"), RunAllKernels.class.getName())
        .redirectErrorStream(true)
        .start();
    List<String> skipped = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.contains("dev.kiln.runtime.kernels") && line.contains("COMPILE SKIPPED")) {
          skipped.add(line.trim());
        }
      }
    }
    assertEquals(0, child.waitFor(), "the kernel runner failed");
    assertEquals(List.of(), skipped, "C1 could not compile these kernels at tier 3");
  }

  /** Runs every kernel of {@link #kernels()} often enough for C1 to compile it. */
  static final class RunAllKernels {
    public static void main(String[] args) {
      gemm = KernelSelector.vectorGemm();
      e = KernelSelector.vectorElementwise();
      kernels().forEach(kernel -> {
        Runnable run = (Runnable) kernel.get()[1];
        for (int i = 0; i < 3_000; i++) {
          run.run();
        }
      });
    }
  }

  private static float[] values(int n, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
