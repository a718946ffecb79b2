package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.GemmTestSupport.assertOnlyBlockWritten;
import static dev.kiln.runtime.kernels.GemmTestSupport.block;
import static dev.kiln.runtime.kernels.GemmTestSupport.startC;
import static dev.kiln.runtime.kernels.GemmTestSupport.strided;
import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.GemmTestSupport.Product;
import dev.kiln.runtime.kernels.GemmTestSupport.Strided;
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
 * Every Vector API product against its scalar twin, on shapes chosen to hit each code path: GEMM
 * micro-tile edges in rows and columns, several K blocks, several row blocks, the batch-1 paths,
 * dense and padded leading dimensions, non-zero offsets, accumulate on and off.
 */
class VectorGemmTest {

  private static final Gemm SCALAR = KernelSelector.scalarGemm();
  private static Gemm vector;

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    vector = KernelSelector.vectorGemm();
  }

  /**
   * m, n, k: batch-1, tails in every dimension, K blocks (256), row blocks (128), big layers; small
   * products (VectorGemm.small: fma chains) and narrow shapes just past its bounds, through the
   * micro-kernel.
   */
  static final int[][] GEMM_SHAPES = {
      {1, 1, 1}, {1, 10, 784}, {1, 256, 784}, {1, 17, 3}, {1, 17, 9}, {1, 100, 33}, {1, 3, 1},
      {1, 3, 43}, {1, 64, 65}, {1, 200, 50}, {1, 150, 7}, {1, 128, 1}, {1, 128, 2},
      {2, 3, 1}, {2, 3, 23}, {4, 2, 2}, {300, 2, 8}, {300, 2, 9}, {3, 47, 5}, {7, 15, 16}, {8, 48, 256}, {8, 49, 257}, {9, 50, 300},
      {16, 16, 16}, {17, 33, 31}, {33, 1, 17}, {5, 96, 1}, {64, 10, 128}, {64, 784, 256},
      {64, 256, 784}, {100, 257, 513}, {130, 97, 70}, {257, 31, 9}, {12, 0, 5}, {0, 7, 5},
      {6, 7, 0}, {120, 10, 4}, {4, 10, 120}, {10, 3, 120}, {64, 10, 12}, {65, 10, 13}, {300, 3, 10},
  };

  /** Row-stride padding: 0 is the dense case; 5 leaves gaps of NaN between the rows of A, B and C. */
  private static final int[] PADS = {0, 5};

  static Stream<Arguments> gemmCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Product g : Product.values()) {
      for (int[] s : GEMM_SHAPES) {
        for (int pad : PADS) {
          for (boolean acc : new boolean[] {false, true}) {
            cases.add(Arguments.of(g, s[0], s[1], s[2], pad, acc));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} pad={4} accumulate={5}")
  @MethodSource("gemmCases")
  void gemmMatchesScalar(Product g, int m, int n, int k, int pad, boolean accumulate) {
    Random rnd = new Random(31L * m + 7L * n + k + pad);
    int[] as = g.aShape(m, k);
    int[] bs = g.bShape(n, k);
    Strided a = strided(rnd, as[0], as[1], 3, pad);
    Strided b = strided(rnd, bs[0], bs[1], 5, pad + 2);
    int cOff = 7;
    int ldc = Math.max(n + pad, 1);
    // accumulate=false must ignore what C held, even NaN
    float[] c0 = startC(rnd, m, n, cOff, ldc, accumulate);
    float[] expected = c0.clone();
    float[] actual = c0.clone();
    g.run(SCALAR, m, n, k, a, b, expected, cOff, ldc, accumulate);
    g.run(vector, m, n, k, a, b, actual, cOff, ldc, accumulate);
    String what = g + " " + m + "x" + n + "x" + k + " pad=" + pad + " acc=" + accumulate;
    assertClose(block(expected, cOff, ldc, m, n), 0, block(actual, cOff, ldc, m, n), 0, m * n,
        1e-5, 2e-7 * k + 1e-6, what);
    assertOnlyBlockWritten(actual, cOff, ldc, m, n, what);
  }

  /**
   * Every path a product can take (VectorGemm.small's fma chains, the batch-1 row-times-matrix,
   * the packed micro-kernels past a K block) sums each element of C as the same fma chain in K
   * order, so which one runs a product, or a thread's share of it, never changes a bit; and a
   * batch-1 forward pass gives a batch's row exactly; nor does reading B in place instead of packing
   * it (the reference always packs). The exception: a batch-1 product with B transposed
   * ({@code rowTimesRowsOf}, backward passes only) sums in vector lanes.
   */
  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("pathCases")
  void everyPathAgreesWithThePackedKernelsBitForBit(Product g, int m, int n, int k) {
    Random rnd = new Random(13L * m + 5L * n + k);
    int[] as = g.aShape(m, k);
    int[] bs = g.bShape(n, k);
    // A [k x 1] read as a batch-1 row must be dense (lda 1), as a layer's input column is.
    Strided a = strided(rnd, as[0], as[1], 3, m == 1 ? 0 : 1);
    Strided b = strided(rnd, bs[0], bs[1], 5, 2);
    for (boolean accumulate : new boolean[] {false, true}) {
      int ldc = n + 3;
      float[] start = startC(rnd, m, n, 2, ldc, accumulate);
      float[] packed = start.clone();
      float[] dispatched = start.clone();
      VectorGemm.packedGemm(m, n, k, a.data(), a.off(), a.ld(), g == Product.TRANS_A, b.data(), b.off(), b.ld(),
          g == Product.TRANS_B, packed, 2, ldc, accumulate, false);
      g.run(vector, m, n, k, a, b, dispatched, 2, ldc, accumulate);
      for (int i = 0; i < packed.length; i++) {
        assertEquals(Float.floatToRawIntBits(packed[i]), Float.floatToRawIntBits(dispatched[i]),
            g + " " + m + "x" + n + "x" + k + " acc=" + accumulate + " at " + i);
      }
    }
  }

  static Stream<Arguments> pathCases() {
    int[][] small = {{4, 2, 2}, {3, 1, 7}, {120, 10, 4}, {4, 10, 120}, {10, 3, 120}, {2, 5, 600}};
    int[][] batchOne = {{1, 3, 5}, {1, 10, 128}, {1, 21, 300}, {1, 37, 9}, {1, 256, 784}, {1, 300, 20}};
    // The last three read B in place (VectorGemm.readsBInPlace), against the reference's packed B.
    int[][] packed = {{9, 17, 33}, {13, 40, 300}, {33, 49, 257}, {13, 64, 300}, {20, 256, 70}, {9, 96, 40}};
    List<Arguments> cases = new ArrayList<>();
    for (Product g : Product.values()) {
      for (int[][] shapes : new int[][][] {small, batchOne, packed}) {
        for (int[] s : shapes) {
          if (!(g == Product.TRANS_B && s[0] == 1 && s[1] * s[2] > VectorGemm.TINY_ROW)) {
            cases.add(Arguments.of(g, s[0], s[1], s[2]));
          }
        }
      }
    }
    return cases.stream();
  }

  /**
   * A product of at least MICRO_KERNEL_WARM_UP_MULTIPLY_ADDS has warmed the micro-kernels up by the
   * time it returns (in this JVM, now or in an earlier test), and the warm-up's probes compute the
   * same tiles as their fma-chain twins, loading C or not.
   */
  @Test
  void aLargeProductWarmsTheMicroKernelsFirst() {
    int m = 64;
    int n = 128;
    int k = (int) (VectorGemm.MICRO_KERNEL_WARM_UP_MULTIPLY_ADDS / (m * n)) + 1;
    Random random = new Random(5);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextFloat() - 0.5f;
    }
    float[] c = new float[m * n];
    vector.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
    assertTrue(VectorGemm.MICRO_KERNELS.warmUpOver(), "warmed before or by this product");
    float[] reference = new float[m * n];
    VectorGemm.smallProduct(m, n, k, a, 0, k, 1, b, 0, n, 1, reference, 0, n, false);
    assertEquals(java.util.Arrays.toString(reference), java.util.Arrays.toString(c), "the fma chains' bits");
  }

  @Test
  void aTransposedSingleColumnWithAStrideIsNotReadAsARow() {
    // m = 1, lda = 4: the column of A is a[0], a[4], a[8], not the contiguous a[0..2].
    float[] a = {1, 100, 100, 100, 2, 100, 100, 100, 3};
    float[] b = {1, 10, 2, 20, 3, 30};
    float[] c = new float[2];
    vector.gemmTransA(1, 2, 3, a, 0, 4, b, 0, 2, c, 0, 2, false);
    assertEquals(1 * 1 + 2 * 2 + 3 * 3, c[0]);
    assertEquals(1 * 10 + 2 * 20 + 3 * 30, c[1]);
  }

  /**
   * A batch-1 product's last columns narrower than a vector load whole vectors past them when B's
   * array has room (the shapes above, NaN beyond B) and fall back to scalar chains when B ends at
   * its array's end: the same bits either way, and nothing read outside the array.
   */
  @Test
  void narrowBatchOneColumnsGiveTheSameBitsWithOrWithoutRoomAfterB() {
    Random rnd = new Random(3);
    int n = 10;
    int k = 128;
    float[] a = new float[k];
    float[] tight = new float[k * n];
    for (int i = 0; i < k; i++) {
      a[i] = -1f + 2f * rnd.nextFloat();
    }
    for (int i = 0; i < tight.length; i++) {
      tight[i] = -1f + 2f * rnd.nextFloat();
    }
    float[] roomy = java.util.Arrays.copyOf(tight, tight.length + 64);
    java.util.Arrays.fill(roomy, tight.length, roomy.length, Float.NaN);
    float[] fromTight = new float[n];
    float[] fromRoomy = new float[n];
    float[] packed = new float[n];
    vector.gemm(1, n, k, a, 0, k, tight, 0, n, fromTight, 0, n, false);
    vector.gemm(1, n, k, a, 0, k, roomy, 0, n, fromRoomy, 0, n, false);
    VectorGemm.packedGemm(1, n, k, a, 0, k, false, tight, 0, n, false, packed, 0, n, false, false);
    for (int j = 0; j < n; j++) {
      assertEquals(Float.floatToRawIntBits(packed[j]), Float.floatToRawIntBits(fromTight[j]), "tight, column " + j);
      assertEquals(Float.floatToRawIntBits(packed[j]), Float.floatToRawIntBits(fromRoomy[j]), "roomy, column " + j);
    }
  }

  /**
   * Batch-1 products that skip the rows of B at a's zeros give gemm's bits, in the Vector API
   * kernels and the scalar twin: every run of columns (sixteen, eight, one vector, the scalar
   * tail), inputs from all zeros (including -0) to none, NaN and infinite inputs (kept), a padded
   * B with NaN between its rows, and nothing written outside C.
   */
  @ParameterizedTest(name = "n={0} k={1} zeros={2} nonFiniteInputs={3}")
  @MethodSource("skippingCases")
  void skippingZeroRowsGivesTheDenseBits(int n, int k, double zeroShare, boolean nonFiniteInputs) {
    Random rnd = new Random(n * 7919L + k * 31L + (long) (zeroShare * 100));
    int pad = 3;
    int ldb = n + pad;
    float[] a = new float[k + 2];
    a[0] = Float.NaN; // before aOff: never read
    for (int p = 0; p < k; p++) {
      double u = rnd.nextDouble();
      a[1 + p] = u < zeroShare ? (rnd.nextBoolean() ? 0f : -0f) : -2f + 4f * rnd.nextFloat();
    }
    if (nonFiniteInputs) { // every output NaN or infinite, through the skipping kernels
      a[1 + k / 3] = Float.NaN;
      a[1 + k / 2] = Float.POSITIVE_INFINITY;
    }
    float[] b = new float[5 + k * ldb + 20];
    java.util.Arrays.fill(b, Float.NaN);
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) {
        b[5 + p * ldb + j] = -1f + 2f * rnd.nextFloat();
      }
    }
    int[] rows = new int[k];
    for (Gemm kernels : new Gemm[] {vector, SCALAR}) {
      float[] expected = new float[n + 4];
      float[] actual = new float[n + 4];
      java.util.Arrays.fill(expected, 7f);
      java.util.Arrays.fill(actual, 7f);
      kernels.gemm(1, n, k, a, 1, k, b, 5, ldb, expected, 2, n, false);
      kernels.rowTimesMatrixSkippingZeros(n, k, a, 1, b, 5, ldb, actual, 2, rows);
      assertSameBits(expected, actual, kernels.description());
    }
    // The listed rows' kernels whatever the input's density (the public method reads every row of
    // a dense input, and picks either path in its first calls).
    float[] listed = new float[n + 4];
    java.util.Arrays.fill(listed, 7f);
    float[] expected = new float[n + 4];
    java.util.Arrays.fill(expected, 7f);
    vector.gemm(1, n, k, a, 1, k, b, 5, ldb, expected, 2, n, false);
    int count = VectorGemm.listNonzero(k, a, 1, rows);
    VectorGemm.listedRowsTimesMatrix(n, k, count, a, 1, b, 5, ldb, listed, 2, rows);
    assertSameBits(expected, listed, "listed rows");
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    for (int j = 0; j < expected.length; j++) {
      assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(actual[j]),
          what + ", element " + j + " of C (C from 2 to " + (expected.length - 2) + ")");
    }
  }

  static Stream<Arguments> skippingCases() {
    List<Arguments> cases = new ArrayList<>();
    int[][] shapes = {{256, 784}, {128, 256}, {10, 128}, {1, 50}, {3, 3}, {17, 40}, {16, 33}, {300, 70},
        {48, 100}, {129, 65}, {272, 9}, {20, 1}};
    for (int[] s : shapes) {
      for (double zeros : new double[] {0, 0.1, 0.5, 0.95, 1}) {
        cases.add(Arguments.of(s[0], s[1], zeros, false));
      }
      if (s[1] > 40) {
        cases.add(Arguments.of(s[0], s[1], 0.5, true));
      }
    }
    return cases.stream();
  }

  @Test
  void gemmIsDeterministicAcrossThreadsSharingTheInstance() throws Exception {
    int m = 96;
    int n = 200;
    int k = 300;
    Random rnd = new Random(5);
    float[] a = KernelTestSupport.random(rnd, 0, m * k, -1f, 1f);
    float[] b = KernelTestSupport.random(rnd, 0, k * n, -1f, 1f);
    float[] reference = new float[m * n];
    vector.gemm(m, n, k, a, 0, k, b, 0, n, reference, 0, n, false);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          float[] c = new float[m * n];
          for (int rep = 0; rep < 20; rep++) {
            vector.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
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

  @Test
  void describesItsLanes() {
    assertTrue(vector.description().startsWith("Vector API, "), vector.description());
    assertEquals(VectorGemm.class, vector.getClass());
  }
}
