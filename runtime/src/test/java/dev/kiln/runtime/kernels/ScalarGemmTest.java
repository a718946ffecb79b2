package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.GemmTestSupport.assertOnlyBlockWritten;
import static dev.kiln.runtime.kernels.GemmTestSupport.block;
import static dev.kiln.runtime.kernels.GemmTestSupport.startC;
import static dev.kiln.runtime.kernels.GemmTestSupport.strided;
import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.kernels.GemmTestSupport.Product;
import dev.kiln.runtime.kernels.GemmTestSupport.Strided;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scalar products against naive triple loops in double, dense and with leading dimensions
 * wider than the logical width at non-zero offsets. The vector products are then tested against
 * these, so this is where correctness is anchored.
 */
class ScalarGemmTest {

  private static final Gemm SCALAR = KernelSelector.scalarGemm();

  static Stream<Arguments> cases() {
    int[][] shapes = {{1, 1, 1}, {1, 10, 784}, {2, 3, 1}, {3, 47, 5}, {8, 49, 257}, {17, 33, 31},
        {33, 1, 17}, {64, 100, 300}};
    List<Arguments> cases = new ArrayList<>();
    for (Product product : Product.values()) {
      for (int[] s : shapes) {
        for (int pad : new int[] {0, 3}) {
          cases.add(Arguments.of(product, s[0], s[1], s[2], pad));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} pad={4}")
  @MethodSource("cases")
  void productsMatchNaiveDoubleLoops(Product product, int m, int n, int k, int pad) {
    Random rnd = new Random(m * 7919L + n * 31L + k + pad);
    int[] as = product.aShape(m, k);
    int[] bs = product.bShape(n, k);
    Strided a = strided(rnd, as[0], as[1], 3, pad);
    Strided b = strided(rnd, bs[0], bs[1], 5, 2 * pad);
    int ldc = n + pad;
    int cOff = 2;
    double abs = 2e-7 * k + 1e-6;
    for (boolean acc : new boolean[] {false, true}) {
      float[] c = startC(rnd, m, n, cOff, ldc, acc);
      double[] expected = product.reference(m, n, k, a, b, c, cOff, ldc, acc);
      product.run(SCALAR, m, n, k, a, b, c, cOff, ldc, acc);
      String what = product + " acc=" + acc;
      assertClose(expected, block(c, cOff, ldc, m, n), 0, 1e-5, abs, what);
      assertOnlyBlockWritten(c, cOff, ldc, m, n, what);
    }
  }

  @Test
  void smallProductsByHand() {
    // A = [[1, 2], [3, 4]] in a stride-3 row layout; B = [[5, 6], [7, 8]] dense.
    float[] a = {1, 2, -99, 3, 4, -99};
    float[] b = {5, 6, 7, 8};
    float[] c = new float[4];
    SCALAR.gemm(2, 2, 2, a, 0, 3, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(new float[] {19, 22, 43, 50}, c);
    // A^T B with A = [[1, 2], [3, 4]] stored [k x m]: A^T = [[1, 3], [2, 4]]
    SCALAR.gemmTransA(2, 2, 2, a, 0, 3, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(new float[] {26, 30, 38, 44}, c);
    // A B^T, then accumulated once more: twice the product
    SCALAR.gemmTransB(2, 2, 2, a, 0, 3, b, 0, 2, c, 0, 2, false);
    assertArrayEquals(new float[] {17, 23, 39, 53}, c);
    SCALAR.gemmTransB(2, 2, 2, a, 0, 3, b, 0, 2, c, 0, 2, true);
    assertArrayEquals(new float[] {34, 46, 78, 106}, c);
    assertEquals("scalar", SCALAR.description());
  }
}
