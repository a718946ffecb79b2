package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The noise stream's statistics and reproducibility. */
class NoiseTest {
  private static final int N = 200_000;

  @Test
  void dropoutZeroesTheRateAndScalesTheRest() {
    float[] x = new float[N];
    java.util.Arrays.fill(x, 2f);
    float[] y = new float[N];
    float[] mask = new float[N];
    Noise.dropout(N, 0.3f, new long[] {5}, x, 0, y, 0, mask, 0);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
      if (mask[i] == 0) {
        zeros++;
        assertEquals(0f, y[i]);
      } else {
        assertEquals((float) (1 / 0.7), mask[i]);
        assertEquals(2f * mask[i], y[i]);
      }
    }
    // Binomial(200000, 0.3): standard deviation ~205; 5 sigma.
    assertEquals(0.3 * N, zeros, 1025);
  }

  @Test
  void theSameSeedGivesTheSameMask() {
    float[] x = new float[1000];
    java.util.Arrays.fill(x, 1f);
    float[] a = new float[1000];
    float[] b = new float[1000];
    Noise.dropout(1000, 0.5f, new long[] {42}, x, 0, new float[1000], 0, a, 0);
    Noise.dropout(1000, 0.5f, new long[] {42}, x, 0, new float[1000], 0, b, 0);
    assertArrayEquals(a, b);
  }

  @Test
  void gaussianNoiseHasTheRequestedStandardDeviation() {
    float[] x = new float[N + 1]; // odd: the last value takes half a Box-Muller pair
    java.util.Arrays.fill(x, 1f);
    float[] y = new float[N + 1];
    Noise.gaussian(N + 1, 0.5f, new long[] {9}, x, 0, y, 0);
    double sum = 0;
    double squares = 0;
    for (float v : y) {
      sum += v - 1;
      squares += (v - 1) * (v - 1);
    }
    double mean = sum / y.length;
    double std = Math.sqrt(squares / y.length - mean * mean);
    assertEquals(0, mean, 0.005); // standard error 0.5 / sqrt(200001) ~ 0.0011
    assertEquals(0.5, std, 0.005);
    assertTrue(y[N] != 1f, "the odd last value gets noise too");
  }
}
