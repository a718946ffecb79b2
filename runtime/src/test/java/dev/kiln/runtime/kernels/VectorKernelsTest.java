package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static dev.kiln.runtime.kernels.KernelTestSupport.assertGuardsIntact;
import static dev.kiln.runtime.kernels.KernelTestSupport.filled;
import static dev.kiln.runtime.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.KernelTestSupport.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Vector API kernel against its scalar twin, on shapes chosen to hit each code path:
 * vector tails, GEMM micro-tile edges in rows and columns, several K blocks, several row blocks,
 * the batch-1 paths, non-zero offsets, accumulate on and off.
 */
class VectorKernelsTest {

  private static final Kernels SCALAR = KernelSelector.scalar();
  private static Kernels vector;

  private static final int[] SIZES = {0, 1, 3, 15, 16, 17, 31, 33, 100, 257};

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    vector = KernelSelector.vector();
  }

  // ---------------------------------------------------------------- GEMM

  enum Gemm {
    PLAIN, TRANS_A, TRANS_B;

    void run(Kernels k, int m, int n, int kk, float[] a, int aOff, float[] b, int bOff, float[] c,
        int cOff, boolean acc) {
      switch (this) {
        case PLAIN -> k.gemm(m, n, kk, a, aOff, b, bOff, c, cOff, acc);
        case TRANS_A -> k.gemmTransA(m, n, kk, a, aOff, b, bOff, c, cOff, acc);
        case TRANS_B -> k.gemmTransB(m, n, kk, a, aOff, b, bOff, c, cOff, acc);
        default -> throw new AssertionError(this);
      }
    }
  }

  /** m, n, k: batch-1, tails in every dimension, K blocks (256), row blocks (128), big layers. */
  static final int[][] GEMM_SHAPES = {
      {1, 1, 1}, {1, 10, 784}, {1, 256, 784}, {1, 17, 3}, {1, 100, 33}, {1, 3, 1}, {1, 64, 65},
      {1, 200, 50}, {1, 150, 7}, {1, 128, 1},
      {2, 3, 1}, {3, 47, 5}, {7, 15, 16}, {8, 48, 256}, {8, 49, 257}, {9, 50, 300},
      {16, 16, 16}, {17, 33, 31}, {33, 1, 17}, {5, 96, 1}, {64, 10, 128}, {64, 784, 256},
      {64, 256, 784}, {100, 257, 513}, {130, 97, 70}, {257, 31, 9}, {12, 0, 5}, {0, 7, 5},
      {6, 7, 0},
  };

  static Stream<Arguments> gemmCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Gemm g : Gemm.values()) {
      for (int[] s : GEMM_SHAPES) {
        for (boolean acc : new boolean[] {false, true}) {
          cases.add(Arguments.of(g, s[0], s[1], s[2], acc));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} accumulate={4}")
  @MethodSource("gemmCases")
  void gemmMatchesScalar(Gemm g, int m, int n, int k, boolean accumulate) {
    Random rnd = new Random(31L * m + 7L * n + k);
    int aOff = 3;
    int bOff = 5;
    int cOff = 7;
    float[] a = random(rnd, aOff, m * k, -1f, 1f);
    float[] b = random(rnd, bOff, k * n, -1f, 1f);
    // accumulate=false must ignore what C held, even NaN
    float[] c0 = accumulate ? random(rnd, cOff, m * n, -1f, 1f) : filled(cOff, m * n, Float.NaN);
    float[] expected = c0.clone();
    float[] actual = c0.clone();
    g.run(SCALAR, m, n, k, a, aOff, b, bOff, expected, cOff, accumulate);
    g.run(vector, m, n, k, a, aOff, b, bOff, actual, cOff, accumulate);
    String what = g + " " + m + "x" + n + "x" + k + " acc=" + accumulate;
    assertClose(expected, cOff, actual, cOff, m * n, 1e-5, 2e-7 * k + 1e-6, what);
    assertGuardsIntact(actual, cOff, m * n, what);
  }

  @Test
  void gemmIsDeterministicAcrossThreadsSharingTheInstance() throws Exception {
    int m = 96;
    int n = 200;
    int k = 300;
    Random rnd = new Random(5);
    float[] a = random(rnd, 0, m * k, -1f, 1f);
    float[] b = random(rnd, 0, k * n, -1f, 1f);
    float[] reference = new float[m * n];
    vector.gemm(m, n, k, a, 0, b, 0, reference, 0, false);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          float[] c = new float[m * n];
          for (int rep = 0; rep < 20; rep++) {
            vector.gemm(m, n, k, a, 0, b, 0, c, 0, false);
          }
          return c;
        }));
      }
      for (Future<float[]> f : results) {
        assertTrue(java.util.Arrays.equals(reference, f.get()), "same inputs, same bits, any thread");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- bias helpers

  static Stream<Arguments> matrixShapes() {
    return Stream.of(new int[][] {{1, 1}, {3, 15}, {7, 16}, {5, 17}, {64, 100}, {3, 257}, {2, 70},
        {4, 64}, {9, 0}, {0, 9}}).map(s -> Arguments.of(s[0], s[1]));
  }

  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("matrixShapes")
  void addRowVectorMatchesScalar(int rows, int cols) {
    Random rnd = new Random(rows * 1000L + cols);
    float[] v = random(rnd, 2, cols, -1f, 1f);
    float[] x = random(rnd, 9, rows * cols, -1f, 1f);
    float[] expected = x.clone();
    float[] actual = x.clone();
    SCALAR.addRowVector(rows, cols, v, 2, expected, 9);
    vector.addRowVector(rows, cols, v, 2, actual, 9);
    assertClose(expected, 9, actual, 9, rows * cols, 0, 0, "addRowVector");
    assertGuardsIntact(actual, 9, rows * cols, "addRowVector");
  }

  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("matrixShapes")
  void sumColumnsMatchesScalar(int rows, int cols) {
    for (boolean accumulate : new boolean[] {false, true}) {
      Random rnd = new Random(rows * 1000L + cols);
      float[] x = random(rnd, 4, rows * cols, -1f, 1f);
      float[] out0 = accumulate ? random(rnd, 6, cols, -1f, 1f) : filled(6, cols, Float.NaN);
      float[] expected = out0.clone();
      float[] actual = out0.clone();
      SCALAR.sumColumns(rows, cols, x, 4, expected, 6, accumulate);
      vector.sumColumns(rows, cols, x, 4, actual, 6, accumulate);
      assertClose(expected, 6, actual, 6, cols, 1e-5, 1e-6 * rows + 1e-6, "sumColumns acc=" + accumulate);
      assertGuardsIntact(actual, 6, cols, "sumColumns");
    }
  }

  // ---------------------------------------------------------------- activations

  static Stream<Arguments> activationCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Activation act : KernelTestSupport.ACTIVATIONS) {
      for (int n : SIZES) {
        cases.add(Arguments.of(act, n));
      }
    }
    return cases.stream();
  }

  /** Wide inputs, near-zero inputs (relative accuracy of expm1-style formulas), and exact zeros. */
  private static float[][] activationInputs(Random rnd, int off, int n) {
    float[] wide = random(rnd, off, n, -9f, 9f);
    float[] narrow = random(rnd, off, n, -1e-3f, 1e-3f);
    float[] withZeros = random(rnd, off, n, -2f, 2f);
    for (int i = 0; i < n; i += 3) {
      withZeros[off + i] = (i % 2 == 0) ? 0f : -0f;
    }
    return new float[][] {wide, narrow, withZeros};
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("activationCases")
  void activationForwardMatchesScalar(Activation act, int n) {
    Random rnd = new Random(n * 101L + act.name().hashCode());
    int xOff = 1;
    int yOff = 6;
    for (float[] x : activationInputs(rnd, xOff, n)) {
      float[] expected = filled(yOff, n, Float.NaN);
      float[] actual = filled(yOff, n, Float.NaN);
      act.forward().apply(SCALAR, n, x, xOff, expected, yOff);
      act.forward().apply(vector, n, x, xOff, actual, yOff);
      assertClose(expected, yOff, actual, yOff, n, 1e-5, 1e-7, act + " forward");
      assertGuardsIntact(actual, yOff, n, act + " forward");
    }
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("activationCases")
  void activationBackwardMatchesScalar(Activation act, int n) {
    Random rnd = new Random(n * 103L + act.name().hashCode());
    int xOff = 2;
    int yOff = 5;
    int dyOff = 11;
    int dxOff = 3;
    for (float[] x : activationInputs(rnd, xOff, n)) {
      float[] y = filled(yOff, n, 0f);
      act.forward().apply(SCALAR, n, x, xOff, y, yOff);
      float[] dy = random(rnd, dyOff, n, -2f, 2f);
      float[] expected = filled(dxOff, n, Float.NaN);
      float[] actual = filled(dxOff, n, Float.NaN);
      act.backward().apply(SCALAR, n, x, xOff, y, yOff, dy, dyOff, expected, dxOff);
      act.backward().apply(vector, n, x, xOff, y, yOff, dy, dyOff, actual, dxOff);
      assertClose(expected, dxOff, actual, dxOff, n, 1e-5, 1e-7, act + " backward");
      assertGuardsIntact(actual, dxOff, n, act + " backward");
    }
  }

  // ---------------------------------------------------------------- softmax

  static Stream<Arguments> softmaxCases() {
    List<Arguments> cases = new ArrayList<>();
    int[][] shapes = {{1, 1}, {3, 7}, {2, 16}, {4, 17}, {5, 33}, {2, 100}, {1, 257}, {64, 10}, {0, 5}};
    for (int[] s : shapes) {
      for (float invT : new float[] {1f, 0.5f, 2f}) {
        cases.add(Arguments.of(s[0], s[1], invT));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "rows={0} cols={1} invT={2}")
  @MethodSource("softmaxCases")
  void softmaxMatchesScalar(int rows, int cols, float invT) {
    Random rnd = new Random(rows * 977L + cols);
    int n = rows * cols;
    float[] x = random(rnd, 4, n, -10f, 10f);
    float[] expected = filled(8, n, Float.NaN);
    float[] actual = filled(8, n, Float.NaN);
    SCALAR.softmax(rows, cols, invT, x, 4, expected, 8);
    vector.softmax(rows, cols, invT, x, 4, actual, 8);
    assertClose(expected, 8, actual, 8, n, 1e-5, 1e-9, "softmax");
    assertGuardsIntact(actual, 8, n, "softmax");

    float[] dy = random(rnd, 3, n, -1f, 1f);
    float[] dxExpected = filled(10, n, Float.NaN);
    float[] dxActual = filled(10, n, Float.NaN);
    SCALAR.softmaxBackward(rows, cols, invT, expected, 8, dy, 3, dxExpected, 10);
    vector.softmaxBackward(rows, cols, invT, expected, 8, dy, 3, dxActual, 10);
    // dy - rowsum(dy * y) cancels; the scalar twin sums in double, so allow float rounding of the sum
    assertClose(dxExpected, 10, dxActual, 10, n, 1e-5, 1e-6 * invT, "softmaxBackward");
    assertGuardsIntact(dxActual, 10, n, "softmaxBackward");
  }

  // ---------------------------------------------------------------- identity

  @Test
  void describesItsLanes() {
    assertTrue(vector.description().startsWith("Vector API, "), vector.description());
    assertEquals(VectorKernels.class, vector.getClass());
  }
}
