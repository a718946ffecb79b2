package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Products over bfloat16 weights (laid out by the implementation's packBf16) equal the float32
 * product of the same implementation over the rounded weights, bit for bit, on every run of
 * columns of the batch-1 kernel (four pairs, one pair, one vector in order, the last few columns),
 * with offsets, padded rows and accumulation, for m = 1 and more.
 */
class Bf16GemmTest {
  static Stream<Arguments> cases() {
    int[][] shapes = {{1, 1, 1}, {1, 3, 5}, {1, 10, 128}, {1, 17, 9}, {1, 128, 256}, {1, 256, 784},
        {1, 135, 33}, {1, 300, 0}, {1, 0, 5}, {1, 50, 7}, {1, 300, 20}, {3, 37, 11}, {2, 129, 64}};
    List<Arguments> cases = new ArrayList<>();
    for (String implementation : new String[] {"scalar", "vector", "active"}) {
      for (int[] s : shapes) {
        cases.add(Arguments.of(implementation, s[0], s[1], s[2]));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("cases")
  void equalsTheFloatProductOverTheWidenedWeights(String implementation, int m, int n, int k) {
    if (!implementation.equals("scalar")) {
      assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    }
    Gemm gemm = switch (implementation) {
      case "scalar" -> KernelSelector.scalarGemm();
      case "vector" -> KernelSelector.vectorGemm();
      default -> Gemm.ACTIVE;
    };
    Random random = new Random(31L * m + 7L * n + k);
    int lda = k + 2;
    int ldb = n + 3;
    int ldc = n + 1;
    float[] a = new float[1 + m * lda];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextGaussian();
    }
    float[] weights = new float[4 + k * ldb];
    float[] widened = new float[weights.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) random.nextGaussian();
      widened[i] = BFloat16.round(weights[i]);
    }
    short[] half = new short[weights.length];
    gemm.packBf16(k, n, weights, 4, ldb, half);
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] start = new float[2 + m * ldc];
      for (int i = 0; i < start.length; i++) {
        start[i] = (float) random.nextGaussian();
      }
      float[] expected = start.clone();
      float[] actual = start.clone();
      gemm.gemm(m, n, k, a, 1, lda, widened, 4, ldb, expected, 2, ldc, accumulate);
      gemm.gemmBf16(m, n, k, a, 1, lda, half, 4, ldb, actual, 2, ldc, accumulate);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
            implementation + " " + m + "x" + n + "x" + k + " acc=" + accumulate + " at " + i);
      }
    }
  }
}
