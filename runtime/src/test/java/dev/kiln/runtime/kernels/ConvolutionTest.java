package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocked im2col convolution against the direct loops ({@code *Reference}), with the scalar
 * and the active (Vector API when present) products, on odd shapes: every padding split, strides,
 * dilations, 1x1 (the direct path), 1 and many channels, several blocks of patches (K = 9 * 37
 * gives blocks of 192 rows), and a batch smaller than the buffers.
 */
class ConvolutionTest {
  /** h, w, c, f, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight, n. */
  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(new int[] {7, 9, 1, 4, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 3}),
        Arguments.of(new int[] {7, 9, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2}),
        Arguments.of(new int[] {8, 7, 3, 3, 3, 3, 1, 1, 2, 2, 0, 0, 0, 0, 2}),
        Arguments.of(new int[] {9, 8, 2, 4, 2, 3, 1, 2, 1, 2, 0, 1, 1, 2, 3}),
        Arguments.of(new int[] {5, 5, 6, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4}),
        Arguments.of(new int[] {5, 6, 4, 3, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 2}),
        Arguments.of(new int[] {28, 28, 1, 32, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2}),
        Arguments.of(new int[] {13, 11, 37, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3}),
        Arguments.of(new int[] {6, 6, 3, 2, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3, 1}));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void blockedIm2colMatchesDirectLoops(int[] s) {
    for (Gemm gemm : new Gemm[] {KernelSelector.scalarGemm(), Gemm.ACTIVE}) {
      check(s, gemm);
    }
  }

  private static void check(int[] s, Gemm gemm) {
    int h = s[0], w = s[1], c = s[2], f = s[3], kh = s[4], kw = s[5], sh = s[6], sw = s[7], dh = s[8], dw = s[9];
    int oh = Convolution.outputSize(h, kh, sh, dh, s[10], s[12]);
    int ow = Convolution.outputSize(w, kw, sw, dw, s[11], s[13]);
    int n = s[14];
    int maxBatch = n + 2;
    Convolution conv = new Convolution(h, w, c, f, kh, kw, sh, sw, dh, dw, s[10], s[11], oh, ow, gemm);
    Random random = new Random(h * 31 + c);
    float[] x = random(random, maxBatch * h * w * c);
    int wOff = 5;
    float[] params = random(random, wOff + kh * kw * c * f + 3);
    float[] dy = random(random, maxBatch * oh * ow * f);
    float[] scratch = new float[conv.scratchSize(maxBatch)];
    String what = java.util.Arrays.toString(s) + " with " + gemm.description();

    float[] y = new float[maxBatch * oh * ow * f];
    float[] expected = new float[y.length];
    java.util.Arrays.fill(y, Float.NaN); // rows past n stay untouched; the first n overwritten
    conv.forward(n, x, params, wOff, y, scratch);
    conv.forwardReference(n, x, params, wOff, expected);
    assertClose(expected, y, n * oh * ow * f, what + " forward");
    assertTrue(Float.isNaN(y[n * oh * ow * f]) || n * oh * ow * f == y.length, what + ": wrote past n");

    float[] grads = new float[wOff + kh * kw * c * f];
    float[] expectedGrads = new float[grads.length];
    float[] dx = new float[maxBatch * h * w * c];
    java.util.Arrays.fill(dx, Float.NaN);
    float[] expectedDx = new float[dx.length];
    conv.weightGradient(n, x, dy, grads, wOff, false, scratch);
    conv.inputGradient(n, dy, params, wOff, dx, scratch);
    conv.backwardReference(n, x, dy, params, wOff, expectedGrads, wOff, expectedDx);
    assertClose(expectedGrads, grads, grads.length, what + " weight gradient");
    assertClose(expectedDx, dx, n * h * w * c, what + " input gradient");

    // accumulate adds onto what is there
    conv.weightGradient(n, x, dy, grads, wOff, true, scratch);
    for (int i = wOff; i < grads.length; i++) {
      expectedGrads[i] *= 2;
    }
    assertClose(expectedGrads, grads, grads.length, what + " accumulated weight gradient");
  }

  private static float[] random(Random random, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) random.nextGaussian();
    }
    return a;
  }

  private static void assertClose(float[] expected, float[] actual, int count, String what) {
    double scale = 0;
    for (int i = 0; i < count; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    for (int i = 0; i < count; i++) {
      double error = Math.abs(expected[i] - actual[i]);
      if (!(error <= 1e-5 * Math.max(scale, 1) + 1e-5 * Math.abs(expected[i]))) {
        fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
      }
    }
    assertEquals(expected.length, actual.length);
  }
}
