package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.GemmTestSupport.assertOnlyBlockWritten;
import static dev.kiln.runtime.kernels.GemmTestSupport.startC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.GemmTestSupport.Product;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector narrow products against the fma chains they stand in for, bit for bit: both
 * orientations (lanes across C's columns, across C's rows), whole-row stores and the tile, B read in
 * place, staged (transposed, or ending at its array's end) or both, strided operands with NaN in
 * their gaps, accumulation, and nothing written outside C's block.
 */
class VectorNarrowProductsTest {

  private static int lanes;

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    lanes = VectorGemm.S.length();
  }

  /** Iris's five products, odd shapes around a vector's width and the eight-row passes, long K. */
  static final int[][] SHAPES = {
      {120, 10, 4}, {120, 3, 10}, {10, 3, 120}, {120, 10, 3}, {4, 10, 120},
      {1, 5, 7}, {3, 17, 1}, {7, 1, 9}, {8, 16, 5}, {9, 15, 6}, {17, 7, 3}, {23, 2, 11},
      {5, 33, 40}, {31, 4, 13}, {64, 9, 12}, {2, 40, 3}, {16, 16, 33}, {15, 31, 2},
  };

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Product g : Product.values()) {
      for (int[] s : SHAPES) {
        for (int pad : new int[] {0, 3}) {
          for (boolean tight : new boolean[] {false, true}) {
            for (boolean accumulate : new boolean[] {false, true}) {
              cases.add(Arguments.of(g, s[0], s[1], s[2], pad, tight, accumulate));
            }
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} pad={4} tight={5} accumulate={6}")
  @MethodSource("cases")
  void givesTheChainsBits(Product g, int m, int n, int k, int pad, boolean tight, boolean accumulate) {
    assumeTrue(VectorNarrowProducts.applies(m, n, k), "outside the narrow products");
    Random rnd = new Random(97L * m + 31L * n + k + pad);
    int[] as = g.aShape(m, k);
    int[] bs = g.bShape(n, k);
    // tight: each operand ends at its array's end, so no whole vector can be read past its last row.
    float[] a = operand(rnd, as[0], as[1], 2, pad, tight);
    float[] b = operand(rnd, bs[0], bs[1], 5, pad + 1, tight);
    int lda = as[1] + pad;
    int ldb = bs[1] + pad + 1;
    int cOff = 3;
    int ldc = n + pad;
    float[] start = startC(rnd, m, n, cOff, ldc, accumulate);
    float[] chains = start.clone();
    float[] vector = start.clone();
    int aRow = g == Product.TRANS_A ? 1 : lda;
    int aCol = g == Product.TRANS_A ? lda : 1;
    int bRow = g == Product.TRANS_B ? 1 : ldb;
    int bCol = g == Product.TRANS_B ? ldb : 1;
    VectorGemm.smallProduct(m, n, k, a, 2, aRow, aCol, b, 5, bRow, bCol, chains, cOff, ldc, accumulate);
    VectorNarrowProducts.product(m, n, k, a, 2, aRow, aCol, b, 5, bRow, bCol, vector, cOff, ldc, accumulate);
    String what = g + " " + m + "x" + n + "x" + k + " pad=" + pad + " tight=" + tight + " acc=" + accumulate;
    for (int i = 0; i < chains.length; i++) {
      assertEquals(Float.floatToRawIntBits(chains[i]), Float.floatToRawIntBits(vector[i]), what + " at " + i);
    }
    assertOnlyBlockWritten(vector, cOff, ldc, m, n, what);
  }

  /** Random values in [-1, 1) in a [rows x cols] block of stride cols + pad at off, NaN elsewhere. */
  private static float[] operand(Random rnd, int rows, int cols, int off, int pad, boolean tight) {
    int ld = cols + pad;
    int end = off + (rows - 1) * ld + cols;
    float[] data = new float[tight ? end : end + 2 * lanes];
    Arrays.fill(data, Float.NaN);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        data[off + r * ld + c] = -1f + 2f * rnd.nextFloat();
      }
    }
    return data;
  }

  /** Infinities and NaN in A and B reach exactly the elements of C whose chains they are in. */
  @Test
  void nonFiniteValuesStayInTheirChains() {
    int m = 19;
    int n = 7;
    int k = 5;
    Random rnd = new Random(5);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = -1f + 2f * rnd.nextFloat();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = -1f + 2f * rnd.nextFloat();
    }
    a[3 * k + 2] = Float.POSITIVE_INFINITY;
    a[11 * k] = Float.NaN;
    b[4 * n + 6] = Float.NEGATIVE_INFINITY;
    float[] chains = new float[m * n];
    float[] vector = new float[m * n];
    VectorGemm.smallProduct(m, n, k, a, 0, k, 1, b, 0, n, 1, chains, 0, n, false);
    VectorNarrowProducts.product(m, n, k, a, 0, k, 1, b, 0, n, 1, vector, 0, n, false);
    for (int i = 0; i < chains.length; i++) {
      assertEquals(Float.floatToRawIntBits(chains[i]), Float.floatToRawIntBits(vector[i]), "at " + i);
    }
    assertTrue(Float.isNaN(vector[11 * n]), "row 11 holds A's NaN");
    assertTrue(Float.isFinite(vector[10 * n]), "row 10 does not");
  }

  /** Through Gemm's three products with the gate open: the dispatch passes every stride on (the chains as reference). */
  @Test
  void theDispatchedProductsGiveTheChainsBits() {
    VectorGemm.NARROW_PRODUCTS.openNow();
    Gemm vector = KernelSelector.vectorGemm();
    Random rnd = new Random(11);
    for (Product g : Product.values()) {
      for (int[] s : new int[][] {{120, 10, 4}, {10, 3, 120}, {4, 10, 120}, {37, 6, 9}}) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        GemmTestSupport.Strided a = GemmTestSupport.strided(rnd, g.aShape(m, k)[0], g.aShape(m, k)[1], 1, 2);
        GemmTestSupport.Strided b = GemmTestSupport.strided(rnd, g.bShape(n, k)[0], g.bShape(n, k)[1], 4, 0);
        for (boolean accumulate : new boolean[] {false, true}) {
          float[] start = startC(rnd, m, n, 2, n, accumulate);
          float[] expected = start.clone();
          float[] actual = start.clone();
          VectorGemm.smallProduct(m, n, k, a.data(), a.off(), g == Product.TRANS_A ? 1 : a.ld(),
              g == Product.TRANS_A ? a.ld() : 1, b.data(), b.off(), g == Product.TRANS_B ? 1 : b.ld(),
              g == Product.TRANS_B ? b.ld() : 1, expected, 2, n, accumulate);
          g.run(vector, m, n, k, a, b, actual, 2, n, accumulate);
          for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                g + " " + m + "x" + n + "x" + k + " acc=" + accumulate + " at " + i);
          }
        }
      }
    }
  }
}
